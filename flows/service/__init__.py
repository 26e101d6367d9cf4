"""The service layer: one transaction per command, around the pure engine."""
