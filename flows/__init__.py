"""Workflow side of ngo-review: procedures, the pure engine, calendar, services, flows."""
