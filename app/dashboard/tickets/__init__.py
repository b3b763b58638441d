"""The ticket tree: parsing, indexing and writing ticket files (see TICKET-FORMAT.md)."""
