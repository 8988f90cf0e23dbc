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
    lst = s.add_parser("list", help="models you can use; * marks the active one")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=run_list)
    use = s.add_parser("use", help="save a GGUF file as the default model ('default' resets)")
    use.add_argument("path")
    use.set_defaults(handler=run_use)


def _describe(path: Path) -> dict:
    try:
        info = read_gguf_info(path)
        return {
            "name": info.name,
            "architecture": info.architecture,
            "layers": info.n_layer,
            "n_embd": info.n_embd,
            "context": info.context_length,
            "size_mb": round(info.size_bytes / 1e6, 1),
            "ok": True,
        }
    except ModelFileError as exc:
        return {"ok": False, "error": str(exc)}


def run_list(args) -> int:
    from assistant.models import discover_models

    app = open_app(args)
    try:
        active = app.model_choice().path.resolve()
        rows = []
        for m in discover_models(app.home, app.settings.model_path):
            d = _describe(m.path)
            rows.append(
                {"path": str(m.path), "source": m.source, "active": m.path.resolve() == active, **d}
            )
        if args.json:
            print_json(rows)
        else:
            for r in rows:
                mark = "*" if r["active"] else " "
                desc = (
                    f"{r['name']} ({r['architecture']}, {r['layers']} layers, {r['size_mb']} MB)"
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
