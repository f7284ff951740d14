"""Writes of the quotas app, one module per topic: periods, calendars, plans."""
