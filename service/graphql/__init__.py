"""GraphQL front door: types and resolvers per domain, assembled in `schema.py`, over the domain services."""
