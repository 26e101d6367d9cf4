"""ngo-review: command line, settings, demo data and the embedded runner."""
