"""The ComponentResources the program builds, one per file."""
