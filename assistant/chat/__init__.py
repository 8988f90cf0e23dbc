"""The conversation: one turn for every front end, its stored branches, drafts and sharing."""
