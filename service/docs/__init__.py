"""The API reference (/schema, Scalar) and GraphiQL (/graphql) pages, served with their vendored assets."""
