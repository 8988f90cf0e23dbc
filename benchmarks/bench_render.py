"""Drawing a long reply: a 2,000-word Markdown reply with code, streamed into the chat view
at a fast model's pace, with Markdown rendering on and off, side by side.

Prints a table and, with --json, one line with:
  markdown_stream_s   wall time from the first token to the reply drawn complete
  plain_stream_s      the same with the reply shown as plain text
  stream_ratio        markdown over plain (the cost of rendering while streaming)
  markdown_max_stall_ms / plain_max_stall_ms
                      the longest the GUI thread went without running a 10 ms timer
  final_render_ms     rendering the finished 2,000-word reply once

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_render.py [--tokens-per-s 60]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PARA = "The quick brown fox jumps over the lazy dog, **again** and `again`. " * 10 + "\n\n"
CODE = "```python\nfor i in range(10):\n    print(i * i)\n```\n\n"
TEXT = (PARA + CODE) * 16  # about 2,050 words


def stream(view, markdown: bool, tokens_per_s: float) -> tuple[float, float]:
    from PySide6.QtCore import QCoreApplication, QTimer

    pieces = [TEXT[i:i + 4] for i in range(0, len(TEXT), 4)]  # ~a token each
    gaps = {"max": 0.0, "last": None}

    def tick() -> None:
        now = time.perf_counter()
        if gaps["last"] is not None:
            gaps["max"] = max(gaps["max"], now - gaps["last"])
        gaps["last"] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    view.begin_stream("Write a long answer.", "bench")
    view._stream.markdown = markdown
    timer.start()
    t0 = time.perf_counter()
    step = 1.0 / tokens_per_s
    for i, p in enumerate(pieces):
        view.append_token(p)
        while time.perf_counter() < t0 + (i + 1) * step:
            QCoreApplication.processEvents()
    view.end_stream("complete")
    QCoreApplication.processEvents()
    total = time.perf_counter() - t0
    timer.stop()
    return total, gaps["max"] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens-per-s", type=float, default=60.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    from ui.markdown import render, warm
    from ui.widgets.chat_view import ChatView

    warm()  # as the window does when it opens

    app = QApplication.instance() or QApplication([])
    view = ChatView()
    view.resize(900, 700)
    view.show()
    md_s, md_stall = stream(view, True, args.tokens_per_s)
    view.clear()
    plain_s, plain_stall = stream(view, False, args.tokens_per_s)
    t = time.perf_counter()
    render(TEXT)
    final_ms = (time.perf_counter() - t) * 1000
    words = len(TEXT.split())
    print(f"{words} words streamed at {args.tokens_per_s:.0f} tokens/s")
    print(f"{'':<10}{'stream s':>10}{'max stall ms':>14}")
    print(f"{'markdown':<10}{md_s:>10.2f}{md_stall:>14.1f}")
    print(f"{'plain':<10}{plain_s:>10.2f}{plain_stall:>14.1f}")
    print(f"ratio markdown/plain {md_s / plain_s:.3f}; one full render {final_ms:.1f} ms")
    if args.json:
        print(json.dumps({"words": words, "markdown_stream_s": round(md_s, 3),
                          "plain_stream_s": round(plain_s, 3),
                          "stream_ratio": round(md_s / plain_s, 3),
                          "markdown_max_stall_ms": round(md_stall, 1),
                          "plain_max_stall_ms": round(plain_stall, 1),
                          "final_render_ms": round(final_ms, 1)}))
    view.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
