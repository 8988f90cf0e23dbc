"""A real `assistant profile build` process on the embedded model: its peak memory, and
what is left of it after a kill -9.

The build reads the model's states through llama.cpp (engine.runtime.activations), so
it needs about the memory of the GGUF file, not a float32 torch copy; and it stores
each sample's results as soon as they are complete, so a killed build resumes.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.db import DB_FILENAME

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
USERS = json.loads((REPO / "tests" / "data" / "steerx_users.json").read_text())
GB = 2**30


def _add_samples(home: Path, samples: list[tuple[str, str]]) -> None:
    from assistant.app import AppContext
    from assistant.writing.history import HistoryService

    app = AppContext(home)
    for prompt, text in samples:
        HistoryService(app.db).add(text, prompt=prompt)
    app.close()


def _rss_anon(pid: int) -> int:
    """RssAnon of a live process in bytes (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _build_cmd() -> list[str]:
    return [sys.executable, "-m", "assistant", "profile", "build", "--method", "steerx",
            "--json"]


def _env(home: Path) -> dict[str, str]:
    return dict(os.environ, ASSISTANT_HOME=str(home), PYTHONUNBUFFERED="1")


def test_build_peak_memory_is_within_the_model_file_plus_1_5_gb(home, model_path, tmp_path):
    _add_samples(home, [(x["prompt"], x["text"]) for x in USERS["marlowe"][:10]])
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("w") as fo, err.open("w") as fe:
        proc = subprocess.Popen(_build_cmd(), stdout=fo, stderr=fe, env=_env(home), cwd=REPO)
        anon_peak = 0
        while True:  # the private memory, sampled: what a float32 copy or a leak would fill
            anon_peak = max(anon_peak, _rss_anon(proc.pid))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, err.read_text()[-3000:]
    rss_peak = usage.ru_maxrss * 1024  # KiB on Linux; file pages of libraries included
    limit = model_path.stat().st_size + 1.5 * GB
    built = json.loads(out.read_text().strip().splitlines()[-1])
    print(f"peak private memory {anon_peak / 2**20:.0f} MiB, peak RSS {rss_peak / 2**20:.0f} "
          f"MiB (limit {limit / 2**20:.0f} MiB), timings {built['timings']}")
    # The bound is on the private memory (what a float32 copy or a leak fills) plus the
    # whole model file, its mapping counted as if all resident. The peak RSS also counts
    # file-backed pages of the libraries: the same build measured 1,261 MiB alone (also under
    # load) and once 2,938 MiB late in a full suite run, not reproduced since; it is printed.
    assert anon_peak + model_path.stat().st_size <= limit, (anon_peak, limit)
    assert "torch_load" not in built["timings"]  # the float32 torch copy was never loaded
    assert built["n_new"] == 10


def _samples(n: int) -> list[tuple[str, str]]:
    """n distinct, longer samples: each joins four of the invented users' notes."""
    notes = [x["text"] for u in ("marlowe", "formal") for x in USERS[u]]
    out = []
    for i in range(n):
        pick = [notes[(i + 5 * j) % len(notes)] for j in range(4)]
        out.append((f"Write note number {i + 1}.", "\n\n".join(pick)))
    return out


def _stored_items(home: Path) -> int:
    """Samples whose results a build has stored (rows with token effects)."""
    db = sqlite3.connect(f"file:{home / DB_FILENAME}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT count(*) FROM profile_item_cache "
                          "WHERE effects != '{}'").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        db.close()


def _profiles(home: Path) -> int:
    db = sqlite3.connect(f"file:{home / DB_FILENAME}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT count(*) FROM profiles").fetchone()[0]
    finally:
        db.close()


def test_a_build_killed_mid_stage_resumes_with_the_samples_it_finished(home, tmp_path):
    n = 24
    _add_samples(home, _samples(n))
    with (tmp_path / "err").open("w") as fe:
        proc = subprocess.Popen(_build_cmd(), stdout=subprocess.DEVNULL, stderr=fe,
                                env=_env(home), cwd=REPO)
        try:
            deadline = time.monotonic() + 600
            while _stored_items(home) == 0 and proc.poll() is None:
                assert time.monotonic() < deadline, "no sample was stored in 10 minutes"
                time.sleep(0.02)
            os.kill(proc.pid, signal.SIGKILL)  # mid-stage: some samples stored, not all
        finally:
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, (tmp_path / "err").read_text()[-2000:]
    done = _stored_items(home)
    assert 0 < done < n, done
    assert _profiles(home) == 0  # a killed build leaves no half-written profile
    rerun = subprocess.run(_build_cmd(), capture_output=True, text=True, env=_env(home),
                           cwd=REPO, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    built = json.loads(rerun.stdout.strip().splitlines()[-1])
    assert built["n_new"] == n - done  # the finished samples were reused, not read again
    assert built["n_generic_generated"] == 0  # so were the generic replies
    assert built["n_samples"] == n and _stored_items(home) == n and _profiles(home) == 1
