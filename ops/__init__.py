"""Commands an operator runs on the Docker host against a deployed stack (stdlib only)."""
