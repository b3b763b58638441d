"""A package, so that test files here may share basenames with those of other folders."""
