"""Views of the quotas app, one module per topic. Every page is a tenant page under /o/<org_slug>/."""
