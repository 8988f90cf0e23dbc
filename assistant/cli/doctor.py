"""`assistant doctor`: what a bug report needs, on one screen (`--json` for scripts)."""

from __future__ import annotations

from assistant.cli.common import print_json
from assistant.doctor import collect, render


def register(sub) -> None:
    p = sub.add_parser(
        "doctor", help="what this machine, the llama.cpp build and the app look like (bug reports)"
    )
    p.add_argument("--json", action="store_true", help="one JSON object instead of the screen")
    p.add_argument(
        "--no-probe", action="store_true",
        help="do not run the one-time llama.cpp build check if it has not run yet",
    )
    p.set_defaults(handler=run)


def run(args) -> int:
    report = collect(getattr(args, "home", None), probe=not args.no_probe)
    if args.json:
        print_json(report)
    else:
        print(render(report))
    return 0
