"""The attempts stage."""
