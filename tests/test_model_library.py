"""Models the user already has: found in other apps' folders (real GGUF files, linked
there as those apps lay them out), described, and used where they are."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.local_models.choice import embedded_model_path


@pytest.fixture
def fake_home(tmp_path, base_model_path) -> Path:
    """A home folder where LM Studio, GPT4All and the Hugging Face cache hold models."""
    h = tmp_path / "user"
    lms = h / ".lmstudio" / "models" / "google" / "gemma-3-270m"
    lms.mkdir(parents=True)
    (lms / "gemma-3-270m-Q4_K_M.gguf").symlink_to(base_model_path)
    (lms / "mmproj-gemma.gguf").symlink_to(base_model_path)  # a vision projector: left out
    gpt4all = h / ".local" / "share" / "nomic.ai" / "GPT4All"
    gpt4all.mkdir(parents=True)
    (gpt4all / "smol.gguf").symlink_to(embedded_model_path())  # the same file: listed once
    (gpt4all / "broken.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 64)
    (gpt4all / "incomplete.gguf.part").write_bytes(b"GGUF")
    snap = h / ".cache" / "huggingface" / "hub" / "models--x--y" / "snapshots" / "abc"
    blobs = h / ".cache" / "huggingface" / "hub" / "models--x--y" / "blobs"
    snap.mkdir(parents=True)
    blobs.mkdir(parents=True)
    try:  # a real file of its own (the cache's blob), not a link to one listed already
        os.link(embedded_model_path(), blobs / "0123")
    except OSError:
        shutil.copyfile(embedded_model_path(), blobs / "0123")
    (snap / "model-00001-of-00002.gguf").symlink_to(blobs / "0123")
    (snap / "model-00002-of-00002.gguf").write_bytes(b"second part")  # not a model alone
    return h


def _env(h: Path) -> dict[str, str]:
    return {"HOME": str(h), "XDG_DATA_HOME": str(h / ".local" / "share"),
            "XDG_CONFIG_HOME": str(h / ".config"), "HF_HOME": str(h / ".cache" / "huggingface"),
            "HF_HUB_CACHE": str(h / ".cache" / "huggingface" / "hub")}


def test_models_of_other_apps_are_listed_with_their_facts(cli, fake_home):
    env = _env(fake_home)
    r = cli("models", "list", "--json", env=env)
    assert r.rc == 0, r.err
    rows = r.json()
    by_source = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row)
    assert [Path(x["path"]).name for x in by_source["LM Studio"]] == ["gemma-3-270m-Q4_K_M.gguf"]
    gemma = by_source["LM Studio"][0]
    assert gemma["ok"] and gemma["architecture"] == "gemma3"
    assert gemma["quantization"] == "Q4_K_M" and gemma["chat_template"] is False
    assert gemma["context"] > 0 and gemma["size_mb"] > 100
    embedded = by_source["embedded"][0]
    assert embedded["chat_template"] is True and embedded["active"]
    assert [Path(x["path"]).name for x in by_source["GPT4All"]] == ["broken.gguf"]
    assert not by_source["GPT4All"][0]["ok"] and "damaged" in by_source["GPT4All"][0]["error"]
    hf = by_source["Hugging Face"]
    assert [Path(x["path"]).name for x in hf] == ["model-00001-of-00002.gguf"]
    names = [Path(x["path"]).name for x in rows]
    assert "mmproj-gemma.gguf" not in names and "incomplete.gguf.part" not in names


def test_a_found_model_is_used_where_it_is(cli, fake_home):
    env = _env(fake_home)
    path = fake_home / ".lmstudio/models/google/gemma-3-270m/gemma-3-270m-Q4_K_M.gguf"
    assert cli("models", "use", str(path), env=env).rc == 0
    rows = cli("models", "list", "--json", env=env).json()
    active = [r for r in rows if r["active"]]
    assert len(active) == 1 and Path(active[0]["path"]).resolve() == path.resolve()
    # Nothing was copied into the app's folder.
    assert not any(p.suffix == ".gguf" for p in fake_home.rglob("*")
                   if "assistant" in str(p) and not p.is_symlink())
