"""The `requests` control of `assistant eval`: each row's history as the app would learn
from it after the user had also chatted with the assistant.

The row's texts go in as the user's own (imported files) and a pool of assistant
requests goes in as chat messages, both through the app's own paths (`HistoryService`,
`ChatService.begin_turn`) into a throwaway data folder; what the method then learns from
is what `HistoryService.writing()` returns, exactly what a profile build or retrieval
reads. With `before=True` every chat message is learned from, as the app did before
issue 35, to measure the harm that caused.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from engine.eval.data import EvalRow, HistoryItem

# Short instructions of the kind people type to an assistant: code, trivia, notes.
FIXED_POOL = (
    "Show a Python hello world in a code block.",
    "Write a function that reverses a string in JavaScript.",
    "What is the capital of Australia?",
    "How many ounces are in a pound?",
    "Write a short note to my neighbour about the fence.",
    "Write a note about the team meeting moving to Thursday.",
    "Translate 'good morning' into Spanish.",
    "Can you give me a recipe for pancakes?",
    "Summarize the plot of Hamlet in two sentences.",
    "Fix this SQL: SELECT * FORM users;",
    "Tell me a joke about cats.",
    "Write a birthday message for my sister.",
)


class RequestsControl:
    """`with_requests` and `request_pool` for `engine.eval.harness.run_eval`."""

    def __init__(self, rows: Sequence[EvalRow], folder: Path | None = None) -> None:
        self.rows = list(rows)
        self.folder = folder

    def pool(self, i: int) -> list[str]:
        """The requests chatted while row i's user wrote: the fixed pool and the other rows'
        task prompts (a request for one user's kind of text, from another)."""
        return [*FIXED_POOL, *(r.task for j, r in enumerate(self.rows) if j != i)]

    def history(self, i: int, before: bool = False) -> list[HistoryItem]:
        """What the app learns from after row i's texts were imported and the pool chatted."""
        from assistant.chat.conversations import ChatService
        from assistant.writing.history import HistoryService
        from store import Database

        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.folder, prefix="requests-") as tmp:
            db = Database(Path(tmp))
            try:
                history = HistoryService(db)
                for h in self.rows[i].history:
                    history.add(h.text, prompt=h.prompt, source="file")
                chat = ChatService(db)
                for request in self.pool(i):
                    chat.begin_turn(None, request, model_name="eval")
                if before:  # the app before issue 35: every chat message was writing
                    for s in history.list("chat"):
                        history.set_included(s.id, True)
                return [HistoryItem(prompt=s.prompt, text=s.text) for s in history.writing()]
            finally:
                db.close()
