"""`assistant eval`: personalization methods side by side on real users' data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.cli.common import open_app, print_json
from assistant.errors import UserError


def register(sub) -> None:
    p = sub.add_parser("eval", help="score personalization methods on a dataset (ROUGE, METEOR)")
    p.add_argument("--data", required=True, type=Path, metavar="FILE",
                   help="paper_dev.json or context_aware_dev.json (see ../shared/data/README.md)")
    p.add_argument("--methods", default="none,rag,stylevector,steerx,rag+steerx",
                   help="comma-separated: none, rag, stylevector, steerx, rag+steerx, fints, "
                   "steerx+fints, dps, costeer (costeer steers the remote set with "
                   "'assistant cloud set')")
    p.add_argument("--limit", type=int, help="use at most N rows")
    p.add_argument("--offset", type=int, default=0, help="skip the first K rows")
    p.add_argument("--max-tokens", type=int, default=256, help="longest reply in tokens")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", metavar="PATH", help="a GGUF model file (default: saved or embedded)")
    p.add_argument("--outputs", type=Path, metavar="FILE",
                   help="also write every generated text with its scores (JSON lines)")
    p.add_argument("--json", action="store_true", help="print the table as JSON on the last line")
    p.set_defaults(handler=run)


def run(args) -> int:
    from tqdm import tqdm

    from assistant.eval_service import make_methods, parse_methods
    from assistant.paths import cache_dir
    from engine.eval.data import load_rows
    from engine.eval.harness import format_table, run_eval

    names = parse_methods(args.methods)
    if not args.data.is_file():
        raise UserError(f"Data file not found: {args.data}")
    try:
        rows = load_rows(args.data)
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise UserError(f"Cannot read {args.data}: {exc}") from exc
    rows = rows[args.offset :]
    if args.limit is not None:
        rows = rows[: args.limit]
    if not rows:
        raise UserError("No rows to evaluate (check --offset and --limit).")
    app = open_app(args)
    builds = None
    bar = tqdm(total=len(rows) * len(names), file=sys.stderr, unit="gen", disable=False)
    try:
        if app.settings.n_threads is None:  # a long run: don't fight other processes
            from engine.methods.batched import work_threads

            app.settings.n_threads = work_threads()
        runtime = app.runtime(args.model)
        sampling = app.sampling(max_tokens=args.max_tokens, temperature=0.7)
        methods, builds = make_methods(names, runtime, sampling, cache_dir(app.home) / "eval",
                                       app.settings.device,
                                       cloud=(app.settings.cloud_url, app.settings.cloud_model))

        def progress(done: int, total: int, label: str) -> None:
            bar.set_description_str(label[:40])
            bar.n = done
            bar.refresh()

        report = run_eval(rows, methods, seed=args.seed, progress=progress)
        bar.close()
        if args.outputs:
            with args.outputs.open("w", encoding="utf-8") as fh:
                for i, tid in enumerate(report.rows):
                    for name, res in report.methods.items():
                        fh.write(json.dumps({"tid": tid, "method": name, "text": res.texts[i],
                                             **res.scores[i].as_dict()}) + "\n")
        print(format_table(report))
        if args.json:
            print_json({**report.as_dict(), "data": str(args.data), "offset": args.offset,
                        "model": runtime.model_name})
        return 0
    finally:
        bar.close()
        if builds is not None:
            builds.close()
        app.close()
