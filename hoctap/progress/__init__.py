"""The progress stage."""
