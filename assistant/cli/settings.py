"""`assistant settings ...`: show and change saved settings (never secrets)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, fields

from assistant.cli.common import open_app, print_json
from assistant.errors import UserError
from assistant.settings import AppSettings, parse_setting, update_setting


def register(sub) -> None:
    p = sub.add_parser("settings", help="show or change saved settings")
    s = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = s.add_parser("show", help="print all settings")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)
    st = s.add_parser("set", help="change one setting, e.g. 'settings set n_ctx 2048'")
    st.add_argument("key", choices=[f.name for f in fields(AppSettings)])
    # REMAINDER: a value that starts with '-' ("-inf", "-1") is the value, not an option,
    # so it gets the setting's own message rather than argparse's "arguments are required".
    st.add_argument("value", nargs=argparse.REMAINDER,
                    help="the new value ('none' clears an optional one)")
    st.set_defaults(handler=run_set)


def run_show(args) -> int:
    app = open_app(args)
    try:
        data = asdict(app.settings)
        data["data_folder"] = str(app.home)
        if args.json:
            print_json(data)
        else:
            for k, v in data.items():
                print(f"{k:>16} = {json.dumps(v)}")
        return 0
    finally:
        app.close()


def run_set(args) -> int:
    app = open_app(args)
    try:
        if len(args.value) != 1:
            raise UserError(f"Give exactly one value for {args.key} (quote a value with spaces).")
        value = parse_setting(args.key, args.value[0])
        if args.key == "chat_method" and value is not None:
            from assistant import method_registry as methods

            methods.get(value)  # a name the registry does not know is refused here
        update_setting(app.db, args.key, value)
        print(f"{args.key} saved")
        return 0
    finally:
        app.close()
