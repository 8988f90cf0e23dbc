"""`assistant repair`: save what a damaged database still holds and start a fresh one."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.cli.common import print_json
from assistant.errors import UserError
from assistant.paths import data_dir


def register(sub) -> None:
    p = sub.add_parser(
        "repair", help="save what a damaged database still holds into a fresh one "
        "(the damaged file is kept aside)")
    p.add_argument("--force", action="store_true",
                   help="rebuild even when the database looks healthy")
    p.add_argument("--no-recover", action="store_true",
                   help="read rows table by table instead of with sqlite3's .recover")
    p.add_argument("--export", type=Path, metavar="OUT.zip",
                   help="then export what was saved to this archive")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(handler=run)


def run(args) -> int:
    from assistant.data.repair import diagnose, repair_database

    home = data_dir(getattr(args, "home", None))
    found = diagnose(home)
    if not found.exists:
        raise UserError(f"There is no database in {home}; nothing to repair.")
    if found.ok and not args.force:
        print(f"The database {found.path} is healthy; nothing to repair "
              "(--force rebuilds it anyway).")
        return 0
    print(f"repairing the database in {home}", file=sys.stderr)
    res = repair_database(home, use_cli=False if args.no_recover else None)
    exported = None
    if args.export is not None:
        from assistant.cli.common import open_app
        from assistant.data import DataService

        app = open_app(args)
        try:
            exported = DataService.for_app(app).export(args.export.expanduser())
        finally:
            app.close()
    if args.json:
        out = res.as_dict()
        out["export"] = str(exported.path) if exported else None
        print_json(out)
        return 0
    saved = ", ".join(f"{n} {t}" for t, n in res.saved.items() if n) or "nothing"
    print(f"saved {saved} (read with {res.method})")
    if res.skipped:
        print("left out, because what they belonged to was lost: "
              + ", ".join(f"{n} {t}" for t, n in res.skipped.items()))
    if res.unreadable:
        print(f"could not read: {', '.join(res.unreadable)}")
    print(f"the damaged file is kept as {res.damaged_copy} ('assistant reset --all' erases it)")
    if exported is not None:
        print(f"exported what was saved to {exported.path}")
    return 0
