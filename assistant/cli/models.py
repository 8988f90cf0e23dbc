"""`assistant models ...`: which GGUF the app runs."""

from __future__ import annotations

from pathlib import Path

from assistant.cli.common import open_app, print_json
from assistant.errors import UserError
from assistant.settings import update_setting
from engine.errors import ModelFileError
from engine.runtime.gguf_info import read_gguf_info


def register(sub) -> None:
    p = sub.add_parser("models", help="list or choose the local model")
    s = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = s.add_parser("list", help="models on this computer (ours, LM Studio's, GPT4All's, "
                       "Jan's, the Hugging Face cache); * marks the active one")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=run_list)
    use = s.add_parser("use", help="save a GGUF file as the default model ('default' resets)")
    use.add_argument("path")
    use.set_defaults(handler=run_use)


def run_list(args) -> int:
    from assistant.local_models.library import library
    from assistant.paths import machine_cache_dir

    app = open_app(args)
    try:
        active = app.model_choice().path.resolve()
        rows = [{**r, "active": Path(r["path"]).resolve() == active}
                for r in library(app.home, app.settings.model_path, machine_cache_dir())]
        if args.json:
            print_json(rows)
        else:
            for r in rows:
                mark = "*" if r["active"] else " "
                desc = (
                    f"{r['name']} ({r['architecture']}, {r['quantization'] or '?'}, "
                    f"{r['size_mb']} MB, context {r['context']}, "
                    f"{'chat template' if r['chat_template'] else 'no chat template (base)'})"
                    if r["ok"]
                    else f"unusable: {r['error']}"
                )
                print(f"{mark} [{r['source']}] {r['path']}\n    {desc}")
        return 0
    finally:
        app.close()


def run_use(args) -> int:
    app = open_app(args)
    try:
        if args.path == "default":
            update_setting(app.db, "model_path", None)
            print("using the embedded default model")
            return 0
        path = Path(args.path).expanduser().resolve()
        try:
            info = read_gguf_info(path)
        except ModelFileError as exc:
            raise UserError(str(exc)) from exc
        update_setting(app.db, "model_path", str(path))
        print(f"default model is now {info.name} ({path})")
        return 0
    finally:
        app.close()
