"""`assistant chat`: one turn, streamed to stdout."""

from __future__ import annotations

import sys

from assistant.chat import ChatService
from assistant.cli.common import open_app, print_json
from assistant.errors import UserError
from engine.runtime.generation import CancelToken


def register(sub) -> None:
    p = sub.add_parser("chat", help="send one message and stream the reply")
    p.add_argument("prompt", nargs="*", help="the message ('-' reads it from stdin)")
    p.add_argument("--model", metavar="PATH", help="a GGUF model file (default: saved or embedded)")
    p.add_argument("--conversation", type=int, metavar="ID", help="continue this conversation")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    p.add_argument("--max-tokens", type=int, help="longest reply in tokens")
    p.add_argument("--temperature", type=float)
    p.add_argument("--seed", type=int, help="fixed seed for reproducible sampling")
    p.add_argument(
        "--method",
        choices=["none", "stylevector", "steerx", "dps", "fints", "steerx+fints"],
        help="personalization (default: the active profile, if any)",
    )
    p.add_argument("--explain", action="store_true",
                   help="with fints: print which history items steered the reply, with weights")
    p.add_argument(
        "--cloud", action="store_true", help="steer the remote model set with 'assistant cloud set'"
    )
    p.add_argument(
        "--allow-local-fallback",
        action="store_true",
        help="with --cloud: if the cloud fails, let the local model finish the reply",
    )
    p.set_defaults(handler=run)


def read_prompt(words: list[str]) -> str:
    if words == ["-"]:
        return sys.stdin.read()
    return " ".join(words)


def apply_profile(app, runtime, flag: str | None) -> str:
    """Steer `runtime` with the chosen (or active) profile; return the method in use."""
    from assistant.profile_service import ProfileMismatch, ProfileService

    svc = ProfileService(app)
    method = svc.resolve_chat_method(flag)
    if method == "dps":  # decoded by torch (see dps_pieces), not a llama.cpp control vector
        svc.require("dps")
        runtime.clear_control_vector()
        return method
    try:
        svc.apply(runtime, method, explicit=flag is not None)
    except ProfileMismatch as exc:
        print(f"note: {exc} Answering without personalization.", file=sys.stderr)
        runtime.clear_control_vector()
        return "none"
    return method


def dps_pieces(app, model_flag, msgs, sampling, cancel):
    """Stream DPS decoding (torch, full and head-masked passes as one batch) as text pieces.

    The decode runs in a thread and hands pieces over a queue, so the chat
    service flushes the growing reply exactly as it does for llama.cpp.
    """
    import queue
    import threading

    from assistant.profile_service import ProfileService
    from engine.methods import dps

    svc = ProfileService(app)
    view = svc.require("dps")
    trt = svc.dps_runtime(model_flag)
    if view.model_fingerprint != trt.info.fingerprint:
        raise UserError(
            f"Your dps profile was built for the model '{view.model}'. Rebuild it with "
            "'assistant profile build --method dps'."
        )
    heads = [(h["layer"], h["head"]) for h in view.meta.get("heads", [])]
    prompt = dps.chat_prompt(trt, msgs)
    q: queue.Queue = queue.Queue()
    done = object()

    def work() -> None:
        try:
            dps.generate(trt, prompt, heads, sampling, gamma=view.meta.get("gamma"),
                         cancel=cancel, on_text=q.put)
        except BaseException as exc:  # re-raised on the reading side
            q.put(exc)
        finally:
            q.put(done)

    threading.Thread(target=work, daemon=True).start()
    while (item := q.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


def fints_request(app, runtime, method: str, text: str, explain: bool) -> list | None:
    """Fints picks its history items per request: steer for this message (None otherwise)."""
    if method not in ("fints", "steerx+fints"):
        return None
    from assistant import fints_service
    from assistant.profile_service import ProfileService

    items = fints_service.apply_request(ProfileService(app), runtime, method, text)
    if explain:
        print(f"{method}: history items used (weight, similarity):", file=sys.stderr)
        for it in items:
            print(f"  #{it['item']:<4} {it['weight']:.3f}  {it['score']:.3f}  {it['text']}",
                  file=sys.stderr)
    return items


def run(args) -> int:
    text = read_prompt(args.prompt)
    if not text.strip():
        raise UserError("The message is empty; type something to send.")
    if args.cloud:
        from assistant.cli.cloud import run_chat_cloud

        return run_chat_cloud(args, text)
    app = open_app(args)
    try:
        runtime = app.runtime(args.model)
        note = runtime.chat_format.note(runtime.info.path.name)
        if note:
            print(f"note: {note}", file=sys.stderr)
        method = apply_profile(app, runtime, getattr(args, "method", None))
        fints_items = fints_request(app, runtime, method, text, getattr(args, "explain", False))
        sampling = app.sampling(
            max_tokens=args.max_tokens, temperature=args.temperature, seed=args.seed
        )
        chat = ChatService(app.db, app.settings.system_prompt)
        msgs = chat.prepare_messages(args.conversation, text)
        try:
            prompt = runtime.fit_chat(msgs, sampling.max_tokens)
        except Exception as exc:  # ContextOverflowError and friends
            raise UserError(str(exc)) from exc
        if prompt.trimmed_turns:
            print(
                f"note: the conversation is longer than the model's context; "
                f"the {prompt.trimmed_turns} oldest turns were left out.",
                file=sys.stderr,
            )
        turn = chat.begin_turn(args.conversation, text, model_name=runtime.model_name)
        cancel = CancelToken()
        if method == "dps":
            pieces = dps_pieces(app, args.model, msgs, sampling, cancel)
        else:
            pieces = runtime.stream(prompt, sampling, cancel=cancel, stats=turn.stats)
        for piece in chat.generate(turn, runtime, sampling, cancel=cancel, pieces=pieces):
            sys.stdout.write(piece)
            sys.stdout.flush()
        sys.stdout.write("\n")
        if args.json:
            st = turn.stats
            print_json(
                {
                    "text": turn.text,
                    "tokens": st.tokens,
                    "seconds": round(st.seconds, 4),
                    "tokens_per_s": round(st.tokens_per_s, 2),
                    "first_token_s": round(st.first_token_s or 0.0, 4),
                    "model": runtime.model_name,
                    "model_path": str(runtime.info.path),
                    "conversation_id": turn.conversation_id,
                    "message_id": turn.reply_message_id,
                    "status": turn.status,
                    "trimmed_turns": prompt.trimmed_turns,
                    "chat_format": runtime.chat_format.source,
                    "method": method,
                    **({"fints_items": fints_items} if fints_items is not None else {}),
                }
            )
        sys.stdout.flush()
        return 0
    finally:
        app.close()
