"""Every container of the stack: the hardened factory, replicas and the health check type."""
