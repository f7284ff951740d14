"""Forms of the activities app, one module per page group. Each takes `organization=` and scopes its choices."""
