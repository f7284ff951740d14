"""Writes of the activities app, one module per topic: types, entries, locks, imports."""
