"""Forms of the quotas app, one module per topic. Every form takes `organization=` and scopes its choices."""
