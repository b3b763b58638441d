"""HTTP: one blueprint per concern (operations, ticket API, live events, pages)."""
