"""`assistant history ...`: the writing samples the profile learns from."""

from __future__ import annotations

from pathlib import Path

from assistant.cli.common import open_app, print_json, record_id
from assistant.errors import UserError
from assistant.history import HistoryService
from assistant.text_rules import for_terminal


def register(sub) -> None:
    p = sub.add_parser("history", help="your writing history (what the profile learns from)")
    s = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = s.add_parser("add", help="add text or .txt/.md files")
    add.add_argument("files", nargs="*", type=Path, metavar="FILE")
    add.add_argument("--text", help="add this text as a sample")
    add.add_argument("--prompt", default="", help="what the text answered (optional)")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=run_add)
    lst = s.add_parser("list", help="list samples")
    lst.add_argument("--json", action="store_true")
    lst.add_argument("--source", choices=["chat", "draft", "file"])
    lst.set_defaults(handler=run_list)
    rm = s.add_parser("rm", help="delete a sample")
    rm.add_argument("id", type=record_id)
    rm.set_defaults(handler=run_rm)


def run_add(args) -> int:
    if not args.text and not args.files:
        raise UserError("Give --text TEXT or one or more files.")
    app = open_app(args)
    try:
        svc = HistoryService(app.db)
        ids: list[int] = []
        if args.text is not None:
            ids.append(svc.add(args.text, source="draft", prompt=args.prompt))
        if args.files:
            ids.extend(svc.add_files(list(args.files)))
        if args.json:
            print_json({"added": ids})
        else:
            print(f"added {len(ids)} sample(s): {', '.join(map(str, ids))}")
        return 0
    finally:
        app.close()


def run_list(args) -> int:
    app = open_app(args)
    try:
        samples = HistoryService(app.db).list(args.source)
        if args.json:
            print_json([x.as_dict() for x in samples])
        else:
            for x in samples:
                preview = for_terminal(" ".join(x.text.split())[:70], one_line=True)
                print(f"{x.id:>5}  {x.source:<5}  {preview}")
        return 0
    finally:
        app.close()


def run_rm(args) -> int:
    app = open_app(args)
    try:
        HistoryService(app.db).remove(args.id)
        print(f"removed sample {args.id}")
        return 0
    finally:
        app.close()
