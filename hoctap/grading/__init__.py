"""The grading stage."""
