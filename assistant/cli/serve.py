"""`assistant serve`: an OpenAI-compatible endpoint on 127.0.0.1 that answers in the user's voice.

    assistant serve [--port N]     serve until Ctrl+C (or SIGTERM)
    assistant serve token [--new]  print the access token (--new replaces it)

Other apps point their OpenAI setting at http://127.0.0.1:PORT/v1 with the token
as their API key. Only loopback is ever bound.
"""

from __future__ import annotations

import argparse
import sys

from assistant.cli.common import open_app, print_json
from assistant.errors import UserError


def register(sub) -> None:
    p = sub.add_parser("serve", help="let apps on this computer write in your voice "
                       "(an OpenAI-compatible endpoint on 127.0.0.1)")
    p.add_argument("--port", type=int, help="the port (default: the serve_port setting, 8765)")
    p.add_argument("--queue", type=int, default=4, metavar="N",
                   help="requests that may wait while one runs; more get 429 (default 4)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON line with the URL when ready")
    p.add_argument("--token-from-stdin", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=run_serve)
    s = p.add_subparsers(dest="serve_action", metavar="ACTION")
    t = s.add_parser("token", help="print the access token other apps send")
    t.add_argument("--new", action="store_true", help="make a new token (the old one stops)")
    t.set_defaults(handler=run_token)


def run_token(args) -> int:
    from assistant.serve import access

    value = access.new_token() if args.new else access.token()
    if access.kept_for_session_only():
        print("note: no OS keyring is available, so this token lasts for this command only; "
              "'assistant serve' prints its own at start.", file=sys.stderr)
    print(value)
    return 0


def run_serve(args) -> int:
    from assistant.app import AppContext
    from assistant.serve import access
    from assistant.serve.server import ServeOptions, Server
    from assistant.serve.worker import ModelWorker

    if args.queue < 0 or args.queue > 256:
        raise UserError("--queue must be a whole number from 0 to 256.")
    app = open_app(args)  # checks the data folder and reads the settings, then lets go
    settings = app.settings
    home = app.home
    app.close()
    port = args.port if args.port is not None else settings.serve_port
    if port != 0:  # 0: any free port (tests, scripts); else the setting's own rule
        from assistant.settings import SPECS, check_setting

        try:
            check_setting("serve_port", port)
        except UserError:
            raise UserError(f"--port must be {SPECS['serve_port'].allowed} (or 0 for any free "
                            f"port), not {port}.") from None
    origins = tuple(o.strip() for o in (settings.serve_origins or "").split(",") if o.strip())
    if args.token_from_stdin:  # the window's server: the token the window shows
        token = sys.stdin.readline().strip()
        if len(token) < 16:
            raise UserError("The access token on stdin is missing or too short.")
    else:
        token = access.token()
    worker = ModelWorker(lambda: AppContext(home), capacity=args.queue)
    server = Server(worker, lambda: token, port,
                    ServeOptions(keep_history=settings.serve_keep_history, origins=origins))
    print("loading the model...", file=sys.stderr)
    worker.start()
    ready = {"url": server.url, "port": server.port, "models": "voice-assistant, "
             "voice-assistant:plain", "keep_history": settings.serve_keep_history}
    if args.json:
        print_json(ready)
    else:
        print(f"Serving your voice at {server.url} (OpenAI-compatible; Ctrl+C stops).",
              file=sys.stderr)
        print("Model 'voice-assistant' answers with your profile, 'voice-assistant:plain' "
              "without it. Send the token as the API key ('assistant serve token').",
              file=sys.stderr)
        if settings.serve_keep_history:
            print("Requests and replies are kept as conversations (serve_keep_history on).",
                  file=sys.stderr)
    if access.kept_for_session_only() and not args.token_from_stdin:
        print(f"No OS keyring: this run's token is {token}", file=sys.stderr)
    try:
        server.run()
    finally:
        # The requests in flight were answered and cancelled when the signal came
        # (Server's handle_exit); a reply still running finishes its token or is left to
        # the process's exit, so stopping takes about a second, never the reply's length.
        worker.stop(timeout=1.0)
    return 0
