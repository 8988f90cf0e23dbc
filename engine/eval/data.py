"""Loaders for the personalization data in `../shared/data/` (CoGenesis, see its README).

Every row becomes one `EvalRow`: a user's writing history (prompt/text pairs),
the task to generate for, and the text that user really wrote (the gold). The
history is what a profile is built from, exactly as the app builds one from the
user's own samples, so the evaluation exercises the app's code path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

_HISTORY_HEADER = "## History Paper Abstracts"
_TASK_HEADER = "## Task"
_ITEM_RE = re.compile(r"Title:\s*(.*?)\s*\n\s*Content:\s*(.*?)(?=\n\s*Title:|\Z)", re.S)
_TITLE_IN_TASK = re.compile(r"for the title '(.*)' that", re.S)


@dataclass(frozen=True)
class HistoryItem:
    """One piece of the user's past writing and what it answered."""

    prompt: str
    text: str


@dataclass
class EvalRow:
    tid: str
    task: str
    gold: str
    history: list[HistoryItem] = field(default_factory=list)
    source: str = ""


def paper_prompt(title: str) -> str:
    """The instruction for writing an abstract, worded like the dataset's own task.

    History items get the same wording as the task so that a steering vector
    learned from (prompt, the author's abstract) pairs contrasts style, not
    instruction wording.
    """
    return (
        f"Compose an abstract for the title '{title}' that matches the author's unique "
        "content, style and tone."
    )


def _turns(row: dict) -> tuple[str, str]:
    conv = row["conversations"]
    user = next(c["value"] for c in conv if c["from"] in ("user", "human"))
    gold = next(c["value"] for c in conv if c["from"] in ("assistant", "gpt"))
    return user, gold


def parse_paper_user_turn(user: str) -> tuple[list[HistoryItem], str]:
    """Split a paper_dev user turn into its history items and the task sentence."""
    if _HISTORY_HEADER not in user or _TASK_HEADER not in user:
        raise ValueError("not a paper_dev user turn (history or task header missing)")
    body = user.split(_HISTORY_HEADER, 1)[1]
    hist_text, task = body.split(_TASK_HEADER, 1)
    items = [
        HistoryItem(prompt=paper_prompt(t.strip()), text=c.strip())
        for t, c in _ITEM_RE.findall(hist_text.strip())
        if c.strip()
    ]
    return items, task.strip()


def load_paper_dev(path: str | Path) -> list[EvalRow]:
    """Real authors: the history is parsed out of the user turn ("Title: ... Content: ...")."""
    rows = []
    for r in json.loads(Path(path).read_text(encoding="utf-8")):
        user, gold = _turns(r)
        items, task = parse_paper_user_turn(user)
        rows.append(EvalRow(str(r["tid"]), task, gold, items, "paper_dev"))
    return rows


def load_context_aware(path: str | Path) -> list[EvalRow]:
    """Invented users: `profile` holds past writings ({title, text}); the task is the user turn."""
    rows = []
    for r in json.loads(Path(path).read_text(encoding="utf-8")):
        user, gold = _turns(r)
        items = [
            HistoryItem(prompt=p.get("title", "").strip(), text=p["text"].strip())
            for p in r.get("profile", [])
            if p.get("text", "").strip()
        ]
        rows.append(EvalRow(str(r["tid"]), user.strip(), gold, items, "context_aware"))
    return rows


def load_rows(path: str | Path) -> list[EvalRow]:
    """Load either file format, recognised by its content rather than its name."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list) or not data:
        raise ValueError(f"{path}: expected a non-empty JSON list of rows")
    if "profile" in data[0]:
        return load_context_aware(path)
    user, _ = _turns(data[0])
    if _HISTORY_HEADER in user:
        return load_paper_dev(path)
    raise ValueError(
        f"{path}: rows carry no history (neither a 'profile' field nor a history section); "
        "the task-only file cannot be used to build profiles"
    )
