"""Configuration everything may import: the one Settings object, read from the environment."""
