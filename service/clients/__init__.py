"""API clients (tenants), their keys and scopes."""
