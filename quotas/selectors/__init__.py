"""Reads of the quotas app, one module per topic: calendar, plans, progress."""
