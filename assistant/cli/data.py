"""`assistant export`, `assistant import`, `assistant reset`: the user owns their data."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.cli.common import open_app, print_json
from assistant.data import DataService
from assistant.errors import UserError


def register(sub) -> None:
    exp = sub.add_parser("export", help="write all your data (no secrets) to one zip archive")
    exp.add_argument("out", type=Path, metavar="OUT.zip")
    exp.add_argument("--force", action="store_true", help="overwrite OUT.zip if it exists")
    exp.add_argument("--json", action="store_true", help="print a JSON summary")
    exp.set_defaults(handler=run_export)

    imp = sub.add_parser(
        "import", help="import an archive of this app, or a ChatGPT conversations.json / zip"
    )
    imp.add_argument("src", type=Path, metavar="IN",
                     help="an export of this app, or ChatGPT's conversations.json or export zip")
    mode = imp.add_mutually_exclusive_group()
    mode.add_argument(
        "--merge", dest="mode", action="store_const", const="merge",
        help="add what is not already here (default)",
    )
    mode.add_argument(
        "--replace", dest="mode", action="store_const", const="replace",
        help="make the archive your data: everything else is erased",
    )
    imp.add_argument("--json", action="store_true", help="print a JSON summary")
    imp.set_defaults(handler=run_import, mode="merge")

    rst = sub.add_parser("reset", help="erase the profile or all data for good")
    scope = rst.add_mutually_exclusive_group(required=True)
    scope.add_argument("--profile", dest="scope", action="store_const", const="profile",
                       help="erase the learned profile (history and chats stay)")
    scope.add_argument("--all", dest="scope", action="store_const", const="all",
                       help="erase everything: chats, history, profile, settings, API key")
    rst.add_argument("--yes", action="store_true", help="confirm; nothing can be recovered")
    rst.add_argument("--json", action="store_true", help="print a JSON summary")
    rst.set_defaults(handler=run_reset)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def run_export(args) -> int:
    out = args.out.expanduser()
    if out.exists() and not args.force:
        raise UserError(f"{out} already exists; add --force to overwrite it.")
    app = open_app(args)
    try:
        res = DataService.for_app(app).export(out)
    finally:
        app.close()
    if args.json:
        print_json(res.as_dict())
    else:
        c = res.counts
        print(
            f"exported {c['conversations']} conversations, {c['messages']} messages, "
            f"{c['writing_samples']} writing samples to {res.path} ({_mb(res.bytes)})"
        )
    return 0


def run_import(args) -> int:
    app = open_app(args)
    if args.mode == "replace":  # a destructive command says where it acts
        print(f"replacing all data in {app.home} with {args.src}", file=sys.stderr)
    try:
        res = DataService.for_app(app).import_file(args.src, args.mode)
    finally:
        app.close()
    if args.json:
        print_json(res.as_dict())
    else:
        a, s = res.added, res.skipped
        extra = f", skipped {s['conversations']} already here" if s.get("conversations") else ""
        print(
            f"imported {a['conversations']} conversations, {a['messages']} messages, "
            f"{a['writing_samples']} writing samples ({res.mode}){extra}"
        )
    return 0


def _say_where(args, home) -> None:
    """A destructive command names the folder it acts on, before it acts."""
    what = "the profile" if args.scope == "profile" else "all data"
    print(f"erasing {what} in {home}", file=sys.stderr)


def _open_for_reset(args, home):
    """The app, for a reset; with --all, a database too damaged to open is shredded first
    (that is what the user asked for), and the reset goes on on a fresh one."""
    from assistant.data.reset import erase_damaged_database

    try:
        app = open_app(args)
    except UserError as exc:
        if args.scope != "all" or not _damaged(exc):
            raise
        _say_where(args, home)
        erase_damaged_database(home)
        return open_app(args)
    _say_where(args, home)
    return app


def _damaged(exc: BaseException | None) -> bool:
    from assistant.data.repair import is_damaged

    return is_damaged(exc)


def run_reset(args) -> int:
    from assistant.paths import data_dir

    home = data_dir(getattr(args, "home", None))  # an empty --home is refused here
    if not args.yes:
        what = "your profile" if args.scope == "profile" else "ALL your data and your API key"
        if not sys.stdin.isatty():
            raise UserError(f"Reset erases {what} in {home} for good; add --yes to confirm.")
        answer = input(f"Erase {what} in {home} for good? Type 'erase' to confirm: ")
        if answer.strip().lower() != "erase":
            raise UserError("Nothing was erased.")
    app = _open_for_reset(args, home)
    try:
        try:
            res = DataService.for_app(app).reset(args.scope)
        except UserError as exc:  # opened, but damaged where the erase reads
            if args.scope != "all" or not _damaged(exc):
                raise
            from assistant.data.reset import erase_damaged_database

            app.close()
            erase_damaged_database(home)
            app = open_app(args)
            res = DataService.for_app(app).reset(args.scope)
    finally:
        app.close()
    if args.json:
        print_json(res.as_dict())
    else:
        print("profile erased" if res.scope == "profile" else "all data erased")
    return 0
