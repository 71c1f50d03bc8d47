"""The course stage."""
