"""`assistant eval`: personalization methods side by side on real users' data."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from assistant.cli.common import open_app, print_json
from assistant.errors import UserError


def register(sub) -> None:
    from assistant.evaluation.methods import methods_help

    p = sub.add_parser("eval", help="score personalization methods on a dataset (ROUGE, METEOR)")
    p.add_argument("--data", required=True, type=Path, metavar="FILE",
                   help="paper_dev.json or context_aware_dev.json (see ../shared/data/README.md)")
    p.add_argument("--methods", default="none,rag,stylevector,steerx,rag+steerx",
                   help=methods_help())
    p.add_argument("--remote-url", metavar="URL",
                   help="the remote's OpenAI-compatible base URL for costeer, remote and "
                   "remote+rag (default: the one from 'assistant cloud set')")
    p.add_argument("--remote-model", metavar="NAME", help="the remote's model name")
    p.add_argument("--remote-template", metavar="NAME",
                   help="the remote's chat template for costeer (e.g. chatml); default: what "
                   "the capability probe finds")
    p.add_argument("--limit", type=int, help="use at most N rows")
    p.add_argument("--offset", type=int, default=0, help="skip the first K rows")
    p.add_argument("--max-tokens", type=int, default=256, help="longest reply in tokens")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", metavar="PATH", help="a GGUF model file (default: saved or embedded)")
    p.add_argument("--seeds", type=int, default=1, metavar="N",
                   help="samples per row, averaged per row before the intervals (default 1)")
    p.add_argument("--controls", default="", metavar="LIST",
                   help="'other-user': also write each row with another row's user's history "
                   "(a fixed derangement), to tell the person from the genre; 'requests': "
                   "also with the history the app learns from after the user chatted a pool "
                   "of assistant requests (and a harm count); 'requests-before': the same as "
                   "the app did before chat messages were left out")
    p.add_argument("--report", type=Path, metavar="DIR",
                   help="write outputs.jsonl, report.md and scores.png (the chart) into DIR")
    p.add_argument("--time-limit", type=float, metavar="MIN",
                   help="start no new row after MIN minutes; the report covers the rows done")
    p.add_argument("--outputs", type=Path, metavar="FILE",
                   help="also write every generated text with its scores (JSON lines)")
    p.add_argument("--resume", type=Path, metavar="FILE",
                   help="reuse the texts of an earlier run's outputs.jsonl with the same "
                   "data, rows, methods, seeds and sampling, and generate only what it lacks")
    p.add_argument("--json", action="store_true", help="print the table as JSON on the last line")
    p.set_defaults(handler=run)


def remote_of(args, settings) -> tuple[str | None, str | None, str | None]:
    """The remote's (url, model, template): the flags, else the `cloud set` settings.

    With --remote-url the template is the flag's or none (the probe decides), never the
    saved one, which belongs to another endpoint."""
    if args.remote_url:
        return args.remote_url, args.remote_model, args.remote_template
    return settings.cloud_url, settings.cloud_model, (args.remote_template
                                                      or settings.cloud_template)


def run(args) -> int:
    from tqdm import tqdm

    from assistant.evaluation.methods import make_methods, parse_methods
    from assistant.paths import cache_dir
    from engine.eval.data import load_rows
    from engine.eval.harness import (
        CONTROLS,
        add_attribution,
        load_reusable,
        load_reusable_steering,
        run_eval,
    )
    from engine.eval.report import format_table, write_outputs, write_report

    names = parse_methods(args.methods)
    controls = [c.strip() for c in args.controls.split(",") if c.strip()]
    bad = [c for c in controls if c not in CONTROLS]
    if bad:
        raise UserError(f"Unknown control {bad[0]!r}; choose from {', '.join(CONTROLS)}.")
    if not 1 <= args.seeds <= 100:
        raise UserError("--seeds must be a whole number from 1 to 100.")
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
    if controls and len(rows) < 2:
        raise UserError(f"The {controls[0]} control needs at least two rows.")
    reuse = reused_steer = None
    if args.resume is not None:
        try:
            reuse = load_reusable(args.resume)
            reused_steer = load_reusable_steering(args.resume)
        except OSError as exc:
            raise UserError(f"Cannot read {args.resume}: {exc.strerror or exc}") from exc
        except ValueError as exc:
            raise UserError(f"Cannot resume from {args.resume}: {exc}") from exc
        print(f"resuming: {len(reuse)} outputs from {args.resume}", file=sys.stderr)
    if bool(args.remote_url) != bool(args.remote_model):
        raise UserError("Give --remote-url and --remote-model together.")
    if args.remote_template is not None:
        from engine.cloud import CloudError
        from engine.cloud.templates import check_template

        try:
            check_template(args.remote_template)
        except CloudError as exc:
            raise UserError(str(exc)) from exc
    app = open_app(args)
    builds = None
    bar = tqdm(total=1, file=sys.stderr, unit="gen", disable=False)
    try:
        if app.settings.n_threads is None:  # a long run: don't fight other processes
            from engine.runtime.batched import work_threads

            app.settings.n_threads = work_threads()
        runtime = app.runtime(args.model)
        sampling = app.sampling(max_tokens=args.max_tokens, temperature=0.7)
        methods, builds = make_methods(names, runtime, sampling, cache_dir(app.home) / "eval",
                                       app.settings.device,
                                       cloud=remote_of(args, app.settings))

        def progress(done: int, total: int, label: str) -> None:
            bar.total = total
            bar.set_description_str(label[:40])
            bar.n = done
            bar.refresh()

        deadline = (time.monotonic() + 60 * args.time_limit) if args.time_limit else None

        def should_stop() -> bool:
            return deadline is not None and time.monotonic() > deadline

        from assistant.evaluation.requests import RequestsControl

        requests = RequestsControl(rows, cache_dir(app.home) / "eval")
        report = run_eval(
            rows, methods, seed=args.seed, seeds=args.seeds, controls=controls,
            with_requests=requests.history, request_pool=requests.pool,
            sampling={"temperature": sampling.temperature, "top_p": sampling.top_p,
                      "top_k": sampling.top_k, "repeat_penalty": sampling.repeat_penalty,
                      "max_tokens": sampling.max_tokens},
            progress=progress, should_stop=should_stop, reuse=reuse,
            reused_steer=reused_steer,
        )
        if not report.rows:
            raise UserError("The time limit ended the run before its first row.")
        if len(report.rows) < len(rows):
            print(f"time limit reached: {len(report.rows)} of {len(rows)} rows done",
                  file=sys.stderr)
        bar.close()
        from engine.methods.embeddings import embed

        add_attribution(report, embed)
        if args.outputs:
            write_outputs(report, args.outputs)
        print(format_table(report))
        if args.report:
            paths = write_report(report, args.report,
                                 title=f"Personalization on {args.data.name}, rows "
                                 f"{args.offset}-{args.offset + len(report.rows) - 1}")
            print(f"report: {paths['report']}")
        if args.json:
            print_json({**report.as_dict(), "data": str(args.data), "offset": args.offset,
                        "model": runtime.model_name})
        return 0
    finally:
        bar.close()
        if builds is not None:
            builds.close()
        app.close()
