"""`assistant conversations ...`."""

from __future__ import annotations

from assistant.chat.conversations import ChatService
from assistant.cli.common import open_app, print_json, record_id
from assistant.errors import UserError
from assistant.text_rules import for_terminal


def register(sub) -> None:
    p = sub.add_parser("conversations", help="list or show stored conversations")
    s = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = s.add_parser("list", help="list conversations, newest first")
    lst.add_argument("--json", action="store_true")
    lst.add_argument("--search", metavar="TEXT")
    lst.set_defaults(handler=run_list)
    show = s.add_parser("show", help="print one conversation")
    show.add_argument("id", type=record_id)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)
    ex = s.add_parser("export", help="write one conversation to share it (Markdown or JSON)")
    ex.add_argument("id", type=record_id)
    ex.add_argument("file", help="where to write it: NAME.md or NAME.json")
    ex.add_argument("--format", choices=["md", "json"], help="default: from the file name")
    ex.add_argument("--force", action="store_true", help="overwrite an existing file")
    ex.set_defaults(handler=run_export)
    st = s.add_parser("set", help="this conversation's own instructions, method, temperature "
                      "or reply length")
    st.add_argument("id", type=record_id)
    st.add_argument("--instructions", metavar="TEXT",
                    help="its system prompt ('none' returns to the app's)")
    st.add_argument("--method", metavar="NAME",
                    help="its personalization method ('none' for off, 'default' for the app's)")
    st.add_argument("--temperature", metavar="T",
                    help="its sampling temperature, 0-5 ('default' for the app's)")
    st.add_argument("--max-tokens", metavar="N",
                    help="its reply length in tokens ('default' for the app's)")
    st.set_defaults(handler=run_set)
    ver = s.add_parser("version", help="show another version of a regenerated reply")
    ver.add_argument("message_id", type=record_id)
    ver.add_argument("number", type=int, help="1 is the first version written")
    ver.set_defaults(handler=run_version)
    dm = s.add_parser("delete-message", help="delete one message (see 'show --json' for ids)")
    dm.add_argument("message_id", type=record_id)
    dm.set_defaults(handler=run_delete_message)
    rm = s.add_parser("rm", help="delete a conversation")
    rm.add_argument("id", type=record_id)
    rm.set_defaults(handler=run_rm)


def run_list(args) -> int:
    app = open_app(args)
    try:
        convs = ChatService(app.db).list_conversations(args.search)
        if args.json:
            print_json([c.as_dict() for c in convs])
        else:
            for c in convs:
                print(
                    f"{c.id:>5}  {c.updated_at:%Y-%m-%d %H:%M}  {c.n_messages:>3} msgs  "
                    f"{for_terminal(c.title, one_line=True)}"
                )
        return 0
    finally:
        app.close()


def run_show(args) -> int:
    app = open_app(args)
    try:
        msgs = ChatService(app.db).messages(args.id)
        if args.json:
            print_json([m.as_dict() for m in msgs])
        else:
            for m in msgs:
                mark = " [partial]" if m.status == "partial" else ""
                if m.n_versions > 1:
                    mark += f" [version {m.version + 1} of {m.n_versions}]"
                print(f"--- {m.role} #{m.id}{mark}\n{for_terminal(m.content)}")
        return 0
    finally:
        app.close()


def run_rm(args) -> int:
    app = open_app(args)
    try:
        ChatService(app.db).delete(args.id)
        print(f"deleted conversation {args.id}")
        return 0
    finally:
        app.close()


def run_export(args) -> int:
    from assistant.chat.share import export_conversation

    app = open_app(args)
    try:
        out = export_conversation(ChatService(app.db), args.id, args.file, args.format,
                                  force=args.force)
        print(f"wrote conversation {args.id} to {out}")
        return 0
    finally:
        app.close()


def run_version(args) -> int:
    app = open_app(args)
    try:
        chat = ChatService(app.db)
        n = len(chat.versions(args.message_id))
        shown = chat.show_version(args.message_id, args.number - 1)
        print(f"reply {args.message_id} shows version {args.number} of {n}:")
        print(for_terminal(shown.content))
        return 0
    finally:
        app.close()


def run_set(args) -> int:
    from assistant import method_registry as methods
    from assistant.settings import parse_setting

    changes: dict[str, object] = {}
    if args.instructions is not None:
        changes["instructions"] = None if args.instructions.lower() == "none" else args.instructions
    if args.method is not None:
        changes["method"] = None if args.method == "default" else methods.get(args.method).name
    for key, raw in (("temperature", args.temperature), ("max_tokens", args.max_tokens)):
        if raw is not None:
            changes[key] = None if raw.lower() == "default" else parse_setting(key, raw)
    if not changes:
        raise UserError("Nothing to set: give --instructions, --method, --temperature or "
                        "--max-tokens.")
    app = open_app(args)
    try:
        now = ChatService(app.db).set_settings(args.id, **changes)
        shown = ", ".join(f"{k}: {str(v)[:60]!r}" for k, v in now.items()) or \
            "the app's settings"
        print(f"conversation {args.id} uses {shown}")
        return 0
    finally:
        app.close()


def run_delete_message(args) -> int:
    app = open_app(args)
    try:
        cid = ChatService(app.db).delete_message(args.message_id)
        print(f"deleted message {args.message_id} of conversation {cid}")
        return 0
    finally:
        app.close()
