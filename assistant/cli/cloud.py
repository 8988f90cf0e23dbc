"""`assistant cloud ...` and `assistant chat --cloud`: CoSteer with a remote endpoint.

The key is read from stdin (never from an argument, which would land in the
shell history and the process list) and goes to the OS keyring. Without a
keyring it lasts for this process only, which for the command line means the
environment variable ASSISTANT_CLOUD_API_KEY is the way to supply it.
"""

from __future__ import annotations

import json
import sys

from assistant.chat.conversations import ChatService
from assistant.cli.common import open_app, print_json, record_id
from assistant.errors import UserError
from engine.cloud.templates import REMOTE_TEMPLATES


def register(sub) -> None:
    p = sub.add_parser("cloud", help="cloud collaboration: steer a remote model (opt-in)")
    s = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    st = s.add_parser("set", help="set the endpoint URL and model (and the key, from stdin)")
    st.add_argument("--url", required=True, help="OpenAI-compatible base URL, e.g. https://host/v1")
    st.add_argument("--model", dest="cloud_model", required=True, help="the remote model's name")
    st.add_argument(
        "--key-from-stdin", action="store_true", help="read the API key from stdin (one line)"
    )
    st.add_argument(
        "--session-only", action="store_true",
        help="accept a key that lasts only for this command where no OS keyring exists",
    )
    st.add_argument("--template", metavar="NAME",
                    help="the remote model's chat template for the completions route: "
                    "'server' (the server renders its own), 'local' (it serves the local "
                    "model's family), or one of " + ", ".join(REMOTE_TEMPLATES) +
                    " (default: found by the check, else chat continuation)")
    st.add_argument("--no-check", action="store_true",
                    help="save without asking the endpoint what it can do (checked at the "
                    "first cloud reply instead)")
    st.add_argument("--json", action="store_true")
    st.set_defaults(handler=run_set)
    stat = s.add_parser("status", help="show the endpoint, the model and where the key is kept")
    stat.add_argument("--json", action="store_true")
    stat.set_defaults(handler=run_status)
    fk = s.add_parser("forget-key", help="delete the stored API key")
    fk.set_defaults(handler=run_forget_key)
    pv = s.add_parser("preview", help="show exactly what a cloud reply would send, send nothing")
    pv.add_argument("prompt", nargs="*", help="the message ('-' reads it from stdin)")
    pv.add_argument("--conversation", type=record_id, metavar="ID")
    pv.add_argument("--max-tokens", type=int)
    pv.set_defaults(handler=run_preview)
    for name, on in (("enable", True), ("disable", False)):
        e = s.add_parser(name, help=f"{name} cloud collaboration for one conversation")
        e.add_argument("conversation", type=record_id, metavar="ID")
        e.set_defaults(handler=run_toggle, enabled=on)


def _service(app):
    from assistant.cloud.service import CloudService

    return CloudService(app)


def run_set(args) -> int:
    key = None
    if args.key_from_stdin:
        key = sys.stdin.readline().strip()
        if not key:
            raise UserError("No API key came on stdin; nothing was stored.")
        from assistant.secrets import session_only

        if session_only() and not args.session_only:
            from assistant.cloud.keys import KEY_ENV

            raise UserError(
                "No OS keyring is available, so the key could not be kept and nothing was "
                f"saved; set {KEY_ENV} instead (or pass --session-only to accept a key "
                "that is gone when this command ends)."
            )
    app = open_app(args)
    try:
        status = _service(app).configure(args.url, args.cloud_model, key,
                                         template=args.template, check=not args.no_check)
        note = None
        if key is not None and status["session_only"]:
            note = (
                "No OS keyring is available, so the key is kept for this session only "
                "and is gone when this command ends; for the command line set "
                f"{status['key_env_var']} instead."
            )
        if args.json:
            print_json({**status, "note": note})
        else:
            print(f"cloud endpoint: {status['url']} (model {status['model']})")
            if key is not None and not status["session_only"]:
                print(f"API key stored in the OS keyring ({status['keyring_backend']}).")
            for line in (status.get("probe") or {}).get("findings", []):
                print(f"  {line}")
            if status.get("probe_error"):
                print(f"note: the endpoint could not be checked ({status['probe_error']}); "
                      "it is checked again at the first cloud reply.", file=sys.stderr)
            if status.get("mode_description"):
                print(f"mode: {status['mode_description']}")
            if note:
                print(f"note: {note}", file=sys.stderr)
        return 0
    finally:
        app.close()


def run_status(args) -> int:
    app = open_app(args)
    try:
        status = _service(app).status()
        if args.json:
            print_json(status)
        else:
            print(f"url:     {status['url'] or '(not set)'}")
            print(f"model:   {status['model'] or '(not set)'}")
            where = {
                "keyring": f"in the OS keyring ({status['keyring_backend']})",
                "session": "for this session only (no OS keyring)",
                "environment": f"from {status['key_env_var']}",
                "none": "not set",
            }[status["key_source"]]
            print(f"key:     {where}")
            print(f"mode:    {status['mode_description'] or 'not checked yet'}")
            if status["session_only"]:
                print("note: no OS keyring is available; keys last for one session only.")
        return 0
    finally:
        app.close()


def run_forget_key(args) -> int:
    app = open_app(args)
    try:
        removed = _service(app).forget_key()
        print("API key deleted." if removed else "No API key was stored.")
        return 0
    finally:
        app.close()


def run_toggle(args) -> int:
    app = open_app(args)
    try:
        ChatService(app.db).set_cloud(args.conversation, args.enabled)
        state = "on" if args.enabled else "off"
        print(f"cloud collaboration is {state} for conversation {args.conversation}.")
        return 0
    finally:
        app.close()


def _read_prompt(words: list[str]) -> str:
    text = sys.stdin.read() if words == ["-"] else " ".join(words)
    if not text.strip():
        raise UserError("The message is empty; type something to send.")
    return text


def run_preview(args) -> int:
    text = _read_prompt(args.prompt)
    app = open_app(args)
    try:
        runtime = app.runtime(getattr(args, "model", None))
        sampling = app.sampling(max_tokens=args.max_tokens)
        preview = _service(app).preview(args.conversation, text, runtime, sampling.max_tokens)
        sys.stdout.write(json.dumps(preview, indent=2, ensure_ascii=False) + "\n")
        return 0
    finally:
        app.close()
