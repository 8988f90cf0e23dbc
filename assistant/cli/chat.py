"""`assistant chat`: one turn, streamed to stdout."""

from __future__ import annotations

import sys

from assistant import method_registry as methods
from assistant.chat.turn import ChatRequest, ChatTurn
from assistant.cli.common import open_app, print_json, record_id
from assistant.errors import UserError
from assistant.text_rules import MAX_TEXT_CHARS, check_text, decode_text, for_terminal


def register(sub) -> None:
    p = sub.add_parser("chat", help="send one message and stream the reply")
    p.add_argument("prompt", nargs="*", help="the message ('-' reads it from stdin)")
    p.add_argument("--model", metavar="PATH", help="a GGUF model file (default: saved or embedded)")
    p.add_argument("--conversation", type=record_id, metavar="ID",
                   help="continue this conversation")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    p.add_argument("--edit", type=record_id, metavar="MESSAGE_ID",
                   help="send PROMPT in place of this earlier message of yours, in a branch "
                   "(a new conversation; the original stays)")
    p.add_argument("--regenerate", type=record_id, metavar="REPLY_ID",
                   help="write this reply again (the last one in place, an earlier one in a "
                   "branch); its earlier versions are kept ('conversations version')")
    p.add_argument("--continue", dest="continue_of", type=int, metavar="REPLY_ID",
                   help="write on from the end of this reply (the conversation's last, say "
                   "one cut at its length limit); the text is added to the same reply")
    p.add_argument("--max-tokens", type=int, help="longest reply in tokens")
    p.add_argument("--temperature", type=float)
    p.add_argument("--seed", type=int, help="fixed seed for reproducible sampling")
    p.add_argument(
        "--method", choices=methods.NAMES,
        help="personalization (default: the saved chat_method, else the active profile): "
        + "; ".join(f"{m.name}: {m.summary}" for m in methods.METHODS.values()),
    )
    p.add_argument("--explain", action="store_true",
                   help="print what personalized the reply (fints: the history items and "
                   "their weights; rag: the texts put in the prompt)")
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
    """The message: the words, or stdin for '-', by the one text rule (valid UTF-8, within
    the cap of one message, checked before a token is counted)."""
    if words == ["-"]:
        # Read at most one byte per allowed character and a bit: a 20 MB paste is refused
        # at once, not after a gigabyte of tokenizing.
        data = sys.stdin.buffer.read(4 * MAX_TEXT_CHARS + 1)
        if len(data) > 4 * MAX_TEXT_CHARS:
            raise UserError(f"The message on stdin is longer than {MAX_TEXT_CHARS:,} "
                            "characters, the most one message holds; split it into parts.")
        return decode_text(data, "The message on stdin")
    return check_text(" ".join(words), "The message")


def explain(summary: dict) -> None:
    """--explain: what steered this reply, on stderr."""
    if "fints_items" in summary:
        print(f"{summary['method']}: history items used (weight, similarity):", file=sys.stderr)
        for it in summary["fints_items"]:
            print(f"  #{it['item']:<4} {it['weight']:.3f}  {it['score']:.3f}  {it['text']}",
                  file=sys.stderr)
    if "rag_samples" in summary:
        print(f"{summary['method']}: writing samples in the prompt: "
              f"{', '.join(f'#{i}' for i in summary['rag_samples']) or 'none'} "
              f"({summary['rag_tokens']} tokens)", file=sys.stderr)
        for i, text in zip(summary["rag_samples"], summary.get("rag_previews") or [],
                           strict=False):
            print(f"  #{i:<4} {text}", file=sys.stderr)


def run(args) -> int:
    text = read_prompt(args.prompt)
    if args.regenerate is not None and (text.strip() or args.edit is not None):
        raise UserError("--regenerate writes a reply again for the same message; give no "
                        "message and no --edit with it.")
    if args.continue_of is not None and (text.strip() or args.edit is not None
                                         or args.regenerate is not None):
        raise UserError("--continue writes on from a reply; give no message, --edit or "
                        "--regenerate with it.")
    if not text.strip() and args.regenerate is None and args.continue_of is None:
        raise UserError("The message is empty; type something to send.")
    app = open_app(args)
    try:
        overrides = {"max_tokens": args.max_tokens, "temperature": args.temperature,
                     "seed": args.seed}
        turn = ChatTurn(app, ChatRequest(
            text, args.conversation, method=args.method, model_flag=args.model,
            edit_of=args.edit, reply_of=args.regenerate, continue_of=args.continue_of,
            sampling={k: v for k, v in overrides.items() if v is not None},
            cloud=args.cloud, allow_local_fallback=args.allow_local_fallback,
            on_notice=lambda m: print(f"\nnote: {m}", file=sys.stderr)))
        info = turn.start()
        for note in (info.format_note, info.notice, info.cloud_note):
            if note:
                print(f"note: {note}", file=sys.stderr)
        if info.trimmed_turns:
            print(
                f"note: the conversation is longer than the model's context; "
                f"the {info.trimmed_turns} oldest turns were left out.",
                file=sys.stderr,
            )
        try:
            for piece in turn.stream():
                sys.stdout.write(for_terminal(piece))
                sys.stdout.flush()
        except KeyboardInterrupt:
            t = turn.turn
            kept = (f"the reply so far is kept, marked partial (message {t.reply_message_id})"
                    if t is not None and t.text else "the reply was empty and is not kept")
            print(f"\nstopped: {kept}.", file=sys.stderr)
            raise
        except UserError as exc:
            if not args.cloud:
                raise
            sys.stdout.write("\n")
            st = turn.turn.stats if turn.turn else None
            raise UserError(
                f"{exc} The {st.tokens if st else 0} tokens written so far are saved as a "
                f"partial reply (message {turn.turn.reply_message_id if turn.turn else '?'}); "
                "add --allow-local-fallback to let the local model finish.") from exc
        sys.stdout.write("\n")
        summary = turn.summary().as_dict()
        if args.explain:
            explain(summary)
        if args.json:
            print_json(summary)
        sys.stdout.flush()
        return 0
    finally:
        app.close()
