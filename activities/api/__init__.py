"""The JSON API for integrations (dialers, CRMs) under /api/v1/, opened by personal access tokens."""
