"""Small dynamic resources: what the docker provider cannot do, asked of the engine."""
