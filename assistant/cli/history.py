"""`assistant history ...`: the writing samples the profile learns from."""

from __future__ import annotations

from pathlib import Path

from assistant.cli.common import open_app, print_json, record_id
from assistant.errors import UserError
from assistant.text_rules import for_terminal
from assistant.writing.history import HistoryService
from assistant.writing.sample_rules import SOURCES


def register(sub) -> None:
    p = sub.add_parser("history", help="your writing history (what the profile learns from)")
    s = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = s.add_parser(
        "add", help="add text, or files (.txt .md .docx .odt .pdf, .eml and mbox with --from)")
    add.add_argument("files", nargs="*", type=Path, metavar="FILE")
    add.add_argument("--text", help="add this text as a sample (source: typed)")
    add.add_argument("--prompt", default="", help="what the text answered (optional)")
    add.add_argument("--from", dest="sender", metavar="ADDRESS",
                     help="e-mail files: import only the messages sent from this address")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=run_add)
    lst = s.add_parser("list", help="list samples, with their source and whether included")
    lst.add_argument("--json", action="store_true")
    lst.add_argument("--source", choices=list(SOURCES))
    lst.set_defaults(handler=run_list)
    for name, helptext in (("include", "let the profile and retrieval learn from a sample"),
                           ("exclude", "keep a sample but leave it out of the profile")):
        sp = s.add_parser(name, help=helptext)
        sp.add_argument("ids", type=record_id, nargs="+", metavar="ID")
        sp.set_defaults(handler=run_include, include=name == "include")
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
            ids.append(svc.add(args.text, source="typed", prompt=args.prompt))
        if args.files:
            ids.extend(svc.add_files(list(args.files), sender=args.sender))
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
                preview = for_terminal(" ".join(x.text.split())[:62], one_line=True)
                used = "included" if x.include else "excluded"
                print(f"{x.id:>5}  {x.source:<5}  {used:<8}  {preview}")
        return 0
    finally:
        app.close()


def run_include(args) -> int:
    app = open_app(args)
    try:
        svc = HistoryService(app.db)
        for sid in args.ids:
            svc.get(sid)  # every id checked before any is changed
        for sid in args.ids:
            svc.set_included(sid, args.include)
        word = "included" if args.include else "excluded"
        print(f"{word} sample(s): {', '.join(map(str, args.ids))}")
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
