"""`assistant profile ...`: build, inspect, edit, switch and export the personal profile."""

from __future__ import annotations

import sys

from assistant.cli.common import open_app, print_json
from assistant.errors import UserError


def register(sub) -> None:
    from assistant import method_registry as methods

    # The profile kinds of the registered methods, and those that have what each action uses.
    every = [k.name for k in methods.kinds()]
    describable = [k.name for k in methods.kinds("describable")]
    tunable = [k.name for k in methods.kinds("tunable")]
    exportable = [k.name for k in methods.kinds("exportable")]
    p = sub.add_parser("profile", help="your personal profile (how the model learns your voice)")
    s = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    b = s.add_parser("build", help="build or update the profile from your writing history")
    b.add_argument("--method", choices=every,
                   help="build this profile and make it the active one (default: SteerX, and "
                        "chat then uses the method your own texts showed best)")
    b.add_argument("--layer", type=int, help="steer at this layer (default: chosen on your texts)")
    b.add_argument("--alpha", type=float, help="steering strength (default: chosen on your texts)")
    b.add_argument("--tau", type=float, help="effect threshold in nats for preference tokens (1.0)")
    b.add_argument("--model", metavar="PATH", help="a GGUF model file (default: saved or embedded)")
    b.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    b.set_defaults(handler=run_build)

    sh = s.add_parser("show", help="what the profile learned")
    sh.add_argument("--method", choices=every)
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(handler=run_show)

    d = s.add_parser("describe", help="show or edit the description of your style")
    d.add_argument("--edit", metavar="TEXT", help="your own wording, used by the next build")
    d.add_argument("--reset", action="store_true", help="let the next build write it again")
    d.add_argument("--method", choices=describable)
    d.set_defaults(handler=run_describe)

    on = s.add_parser("on", help="personalize chat with the profile")
    on.add_argument("--method", choices=every)
    on.set_defaults(handler=run_on)
    off = s.add_parser("off", help="chat without personalization (the profile is kept)")
    off.set_defaults(handler=run_off)

    st = s.add_parser("set", help="override the layer and/or strength")
    st.add_argument("--layer", type=int)
    st.add_argument("--alpha", type=float)
    st.add_argument("--method", choices=tunable)
    st.set_defaults(handler=run_set)

    e = s.add_parser("export-cvec", help="write the profile as a llama.cpp control vector")
    e.add_argument("out", metavar="OUT.gguf")
    e.add_argument("--method", choices=exportable)
    e.add_argument("--all-layers", action="store_true",
                   help="every layer's unscaled direction (default: what chat applies)")
    e.set_defaults(handler=run_export)


def _service(app):
    from assistant.profile.service import ProfileService

    return ProfileService(app)


def _print_profile(d: dict) -> None:
    state = "on" if d["active"] else "off"
    print(f"method:      {d['method']} ({state})")
    print(f"model:       {d['model']}")
    print(f"layer/alpha: {d['layer']} / {d['alpha']:g}"
          + ("" if d.get("auto_selected") else " (set by hand)"))
    print(f"samples:     {d['n_samples']}   built: {d['built_at']}")
    if d.get("fints"):
        f = d["fints"]
        print(f"fints:       layers {f['layers']}, top-{f['k']} items, softmax(score/"
              f"{f['temperature']:g}), {f['n_items']} items")
        if f.get("strength"):
            s = f["strength"]
            print(f"strength:    {100 * s['fraction']:g} % of the residual norm, chosen on "
                  f"{s['held_out']} of your texts (the paper's alpha 1 is "
                  f"{100 * s['paper_fraction']:g} %)")
            if s.get("with_texts"):
                print(f"             with your texts in the prompt (rag+fints): "
                      f"{100 * s['with_texts']['fraction']:g} %")
    if d.get("steering_off"):
        print(f"steering:    {d['steering_off']}")
    if d["description"]:
        print(f"description: {d['description']}")
    if d["preference_tokens"]:
        toks = ", ".join(f"{t['token']} ({t['effect']:+.1f})" for t in d["preference_tokens"])
        print(f"your words:  {toks}")
    if d.get("heads"):
        heads = ", ".join(f"{h['layer']}.{h['head']} ({h['score']:+.3f})" for h in d["heads"])
        print(f"DPS heads:   {heads}")


class _LazyBar:
    """A progress bar drawn from the first progress report on, so an error found before
    the build starts (a bad flag, an empty history) is the only line printed."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, frac: float, stage: str) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=100, file=sys.stderr, unit="%",
                            bar_format="{l_bar}{bar}| {elapsed}", disable=False)
        self.bar.set_description_str(stage)
        self.bar.n = int(round(frac * 100))
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_build(args) -> int:
    from assistant import method_registry as methods
    from assistant.profile.kinds import DEFAULT_KIND
    from assistant.settings import check_flag
    from engine.runtime.native import load_models_lean

    check_flag("alpha", args.alpha)  # the same rule as 'profile set', before anything runs
    check_flag("tau", args.tau)
    load_models_lean()  # this process only builds: no repacked copy of the weights
    app = open_app(args)
    bar = progress = _LazyBar()
    try:
        out = methods.build_profile(app, args.method or DEFAULT_KIND, layer=args.layer,
                                    alpha=args.alpha, tau=args.tau, model_flag=args.model,
                                    progress=progress)
        bar.close()
        for note in out.notes:
            print(f"note: {note}", file=sys.stderr)
        rec = None
        if args.method is None:  # the default: chat uses what the user's texts showed best
            from assistant.profile.recommendation import recommend

            rec = recommend(app)
            if methods.use(app, rec.method) is not None:
                rec = None
        if args.json:
            print_json({**out.as_dict(), **({"chat_method": rec.method, "why": rec.why}
                                            if rec else {})})
        else:
            _print_profile(out.profile.as_dict())
            print(f"built in {out.seconds:.1f} s ({out.n_new} new of {out.profile.n_samples} "
                  "samples)")
            if rec:
                print(f"chat now uses {rec.method}: {rec.why}")
        return 0
    finally:
        bar.close()
        app.close()


def run_show(args) -> int:
    app = open_app(args)
    try:
        from assistant import method_registry as methods
        from assistant.profile.recommendation import recommend

        view = _service(app).require(args.method)
        rec = recommend(app)
        in_use = methods.chosen(app, None)[0].name
        if args.json:
            print_json({**view.as_dict(), "chat_method": in_use,
                        "recommended": rec.as_dict()})
        else:
            _print_profile(view.as_dict())
            print(f"chat uses:   {in_use}")
            print(f"recommended: {rec.method}: {rec.why}")
        return 0
    finally:
        app.close()


def run_describe(args) -> int:
    app = open_app(args)
    try:
        svc = _service(app)
        if args.edit is not None and args.reset:
            raise UserError("Give either --edit TEXT or --reset, not both.")
        if args.edit is not None:
            view = svc.set_description(args.edit, args.method)
            print("description saved; the next 'assistant profile build' uses it")
        elif args.reset:
            view = svc.reset_description(args.method)
            print("the next build will write the description again")
        else:
            view = svc.require(args.method)
        print(view.description or "(no description: build a steerx profile)")
        return 0
    finally:
        app.close()


def run_on(args) -> int:
    app = open_app(args)
    try:
        from assistant import method_registry as methods

        view = _service(app).set_active(True, args.method)
        methods.use(app, view.method)  # chat's saved method follows, or `on` would not be on
        print(f"personalization on ({view.method}, layer {view.layer}, alpha {view.alpha:g})")
        return 0
    finally:
        app.close()


def run_off(args) -> int:
    app = open_app(args)
    try:
        from assistant import method_registry as methods

        methods.use(app, "none")  # the saved chat method too: off means off in every surface
        print("personalization off (the profile is kept; 'assistant profile on' resumes it)")
        return 0
    finally:
        app.close()


def run_set(args) -> int:
    if args.layer is None and args.alpha is None:
        raise UserError("Give --layer and/or --alpha.")
    app = open_app(args)
    try:
        view = _service(app).set_strength(args.method, layer=args.layer, alpha=args.alpha)
        print(f"{view.method}: layer {view.layer}, alpha {view.alpha:g} (kept on rebuilds)")
        return 0
    finally:
        app.close()


def run_export(args) -> int:
    app = open_app(args)
    try:
        path = _service(app).export_cvec(args.out, args.method, all_layers=args.all_layers)
        print(f"wrote {path}")
        return 0
    finally:
        app.close()
