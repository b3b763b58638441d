"""The stack settings: field types, the sections, the loader and its report, the README table."""
