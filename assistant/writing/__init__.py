"""The user's writing history: what counts as their writing, documents, edits."""
