"""The safety stage."""
