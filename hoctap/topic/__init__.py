"""The topic stage."""
