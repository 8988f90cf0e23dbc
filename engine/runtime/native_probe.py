"""The child process of the native-build guard: load a model and decode a few tokens.

Run as `python -m engine.runtime.native_probe MODEL.gguf`. Exit 0 means the
llama.cpp build decodes on this CPU with the parameters the app uses; a death
by a signal is what `native_guard` reports to the user. Nothing here touches
the user's data.
"""

from __future__ import annotations

import sys

PROBE_TOKENS = 4


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m engine.runtime.native_probe MODEL.gguf", file=sys.stderr)
        return 2
    import llama_cpp

    from engine.runtime.native import install_safe_model_defaults

    install_safe_model_defaults()
    n_gpu = -1 if llama_cpp.llama_supports_gpu_offload() else 0
    llm = llama_cpp.Llama(model_path=argv[0], n_ctx=256, n_gpu_layers=n_gpu, verbose=False)
    out = llm.create_completion("Hello", max_tokens=PROBE_TOKENS, temperature=0.0)
    print(f"probe ok: {out['usage']['completion_tokens']} tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
