"""The AMX crash (issue 19): safe load parameters on AMX CPUs and the native-build guard.

The runtime is made to see a CPU with AMX through a fake /proc/cpuinfo; the
guard is proven with a child that really dies by SIGSEGV.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.runtime import native, native_guard
from engine.runtime.native_guard import NativeBuildCrash, check_native_build

AMX_CPU = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f amx_bf16 amx_tile amx_int8\n"
PLAIN_CPU = "processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n"
SEGFAULT = [sys.executable, "-c", "import ctypes; ctypes.string_at(0)"]


@pytest.fixture
def fake_cpu(tmp_path, monkeypatch):
    """Point the runtime at a cpuinfo file of our making: fake_cpu(text)."""

    def use(text: str) -> Path:
        path = tmp_path / "cpuinfo"
        path.write_text(text)
        monkeypatch.setattr(native, "CPUINFO", path)
        return path

    return use


def test_cpu_flags_read_from_cpuinfo(fake_cpu):
    fake_cpu(AMX_CPU)
    assert {"amx_int8", "avx512f"} <= native.cpu_flags()
    assert native.cpu_has_amx()
    fake_cpu(PLAIN_CPU)
    assert not native.cpu_has_amx()
    assert native.cpu_flags(Path("/nonexistent/cpuinfo")) == frozenset()


def test_runtime_on_an_amx_cpu_loads_without_extra_buffer_types(fake_cpu, model_path):
    """The parameters llama.cpp really got: use_extra_bufts off with AMX, and it decodes."""
    from engine.runtime.generation import SamplingSettings
    from engine.runtime.llamacpp import LlamaRuntime

    fake_cpu(AMX_CPU)
    rt = LlamaRuntime(model_path, n_ctx=256)
    try:
        assert rt.llm.model_params.use_extra_bufts is False
        text = "".join(rt.stream("Hello", SamplingSettings(max_tokens=8, seed=1)))
        assert text.strip()
    finally:
        rt.close()


def test_runtime_without_amx_keeps_extra_buffer_types(fake_cpu, model_path):
    from engine.runtime.llamacpp import LlamaRuntime

    fake_cpu(PLAIN_CPU)
    if native.build_info().has_amx:
        pytest.skip("this llama.cpp build carries AMX kernels, so they stay off everywhere")
    rt = LlamaRuntime(model_path, n_ctx=256)
    try:
        assert rt.llm.model_params.use_extra_bufts is True
    finally:
        rt.close()


def test_a_process_that_builds_loads_lean_and_keeps_the_guard_key(fake_cpu, model_path):
    """`load_models_lean` (the build's processes call it) loads every later model without
    the repacked weight copy; the native guard's verdict key does not move with it."""
    from engine.runtime import native_guard
    from engine.runtime.llamacpp import LlamaRuntime

    fake_cpu(PLAIN_CPU)
    key = native_guard.build_key()
    native.load_models_lean()
    try:
        assert native.model_param_overrides() == {"use_extra_bufts": False}
        assert native_guard.build_key() == key
        rt = LlamaRuntime(model_path, n_ctx=256)
        try:
            assert rt.llm.model_params.use_extra_bufts is False
        finally:
            rt.close()
    finally:
        native.load_models_lean(False)


def test_a_build_with_amx_kernels_is_safe_whatever_the_flags_say():
    build = native.BuildInfo(None, "CPU : AVX2 = 1 | AMX_INT8 = 1 |", {"AMX_INT8": "1"}, False)
    assert build.has_amx
    assert not native.extra_bufts_safe(frozenset({"avx2"}), build)
    assert native.extra_bufts_safe(frozenset({"avx2"}), native.BuildInfo(None, "", {}, False))


def test_server_child_loads_with_the_safe_parameters(tmp_path, fake_cpu, model_path):
    """The OpenAI-compatible server the tests start runs the same policy in its process."""
    cpuinfo = fake_cpu(AMX_CPU)
    code = (
        "from pathlib import Path; from engine.runtime import native; "
        f"native.CPUINFO = Path({str(cpuinfo)!r}); native.install_safe_model_defaults(); "
        "import llama_cpp; "
        f"llm = llama_cpp.Llama(model_path={str(model_path)!r}, n_ctx=128, verbose=False); "
        "print(llm.model_params.use_extra_bufts)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_guard_passes_a_build_that_decodes_and_keeps_the_verdict(tmp_path, model_path):
    first = check_native_build(model_path, tmp_path)
    assert first.ok is True and not first.cached
    again = check_native_build(model_path, tmp_path, command=SEGFAULT)  # not even started
    assert again.ok is True and again.cached
    kept = json.loads((tmp_path / native_guard.VERDICTS_FILE).read_text())
    assert kept[first.key]["ok"] is True


def test_guard_turns_a_segfaulting_child_into_one_clear_error(tmp_path, model_path):
    with pytest.raises(NativeBuildCrash) as err:
        check_native_build(model_path, tmp_path, command=SEGFAULT)
    msg = str(err.value)
    assert "SIGSEGV" in msg and native_guard.REBUILD_COMMAND in msg and "\n" not in msg
    # Kept: the next start says the same at once, without a child.
    ok_child = [sys.executable, "-c", "pass"]
    with pytest.raises(NativeBuildCrash):
        check_native_build(model_path, tmp_path, command=ok_child)


def test_guard_checks_again_when_the_cpu_changes(tmp_path, fake_cpu, model_path):
    fake_cpu(PLAIN_CPU)
    with pytest.raises(NativeBuildCrash):
        check_native_build(model_path, tmp_path, command=SEGFAULT)
    fake_cpu(AMX_CPU)  # another CPU (and other load parameters): a new key
    assert check_native_build(model_path, tmp_path, command=[sys.executable, "-c", "pass"]).ok


def test_guard_records_nothing_for_a_child_that_merely_fails(tmp_path, model_path):
    failing = [sys.executable, "-c", "raise SystemExit(3)"]
    v = check_native_build(model_path, tmp_path, command=failing)
    assert v.ok is None and not (tmp_path / native_guard.VERDICTS_FILE).exists()
    slow = [sys.executable, "-c", "import time; time.sleep(30)"]
    assert check_native_build(model_path, tmp_path, command=slow, timeout=1).ok is None


CRASHING_CLI = """
import sys
from engine.runtime import native_guard
crash = [sys.executable, "-c", "import ctypes; ctypes.string_at(0)"]
native_guard.probe_command = lambda model: crash
from assistant.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_cli_says_one_line_instead_of_dying(home, tmp_path):
    """`assistant chat` on a build that crashes: exit 1 with the remedy, not a signal 11."""
    env = {
        "ASSISTANT_HOME": str(home),
        "ASSISTANT_CACHE_DIR": str(tmp_path / "machine-cache"),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", CRASHING_CLI, "chat", "hi"],
        capture_output=True, text=True, timeout=120, env=env, cwd=Path(__file__).parents[1],
    )
    assert out.returncode == 1, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: llama.cpp crashed (SIGSEGV)")
    assert "Traceback" not in out.stderr and native_guard.REBUILD_COMMAND in lines[0]


def test_doctor_reports_what_a_bug_report_needs(cli):
    r = cli("doctor", "--json")
    assert r.rc == 0, r.err
    rep = r.json()
    assert {"cpu", "llama_cpp", "torch", "keyring", "wordnet", "display", "folders"} <= set(rep)
    assert rep["llama_cpp"]["guard"] == "decodes"
    assert rep["llama_cpp"]["extra_buffer_types"] in ("on", "off (AMX)")
    assert isinstance(rep["cpu"]["amx"], bool) and rep["torch"]["device"] == "cpu"
    screen = cli("doctor")
    assert screen.rc == 0 and "guard: decodes" in screen.out
