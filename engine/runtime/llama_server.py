"""llama-cpp-python's OpenAI-compatible server, loaded with this project's safe parameters.

`python -m engine.runtime.llama_server --model M.gguf --port N ...` takes the
same arguments as `python -m llama_cpp.server`; the only difference is that
the model loads without the AMX kernels where they crash
(`engine.runtime.native`). Tests and benchmarks start their "remote" endpoint
through `LlamaServer`, on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerDidNotStart(RuntimeError):
    pass


class LlamaServer:
    """A real llama.cpp server in a child process, bound to loopback; `url` ends in `/v1`."""

    def __init__(
        self,
        model: Path,
        *,
        n_ctx: int = 1024,
        log_path: Path | None = None,
        start_timeout: float = 120.0,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.model = Path(model)
        self.n_ctx = n_ctx
        self.log_path = log_path
        self.start_timeout = start_timeout
        self.extra_args = extra_args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> LlamaServer:
        import httpx

        out = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                [
                    sys.executable, "-m", "engine.runtime.llama_server",
                    "--model", str(self.model), "--host", "127.0.0.1",
                    "--port", str(self.port), "--n_ctx", str(self.n_ctx), *self.extra_args,
                ],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        finally:
            if out is not subprocess.DEVNULL:
                out.close()  # the child holds its own copy
        deadline = time.monotonic() + self.start_timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/models", timeout=1).status_code == 200:
                    return self
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = self.log_path.read_text(errors="replace")[-1500:] if self.log_path else ""
                self.stop()
                raise ServerDidNotStart(f"the llama.cpp server did not start: {tail}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> None:
    from engine.runtime.native import install_safe_model_defaults

    install_safe_model_defaults()
    from llama_cpp.server.__main__ import main as serve

    serve()


if __name__ == "__main__":
    main()
