"""The layers hold: no import cycle between modules, engine and store never import each
other, only the GUI launcher reaches into ui from the other packages, and only the
runtimes set a control vector (everything else steers through `runtime.steered`).

Imports inside functions count too: a function-level import hides a loop from the
interpreter's start-up, not from a reader.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "engine", "store", "ui")
GUI_LAUNCHERS = {"assistant.cli.launch"}  # opens the window: the one allowed edge into ui


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py")}


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (anywhere in its body), read by the same
    code that draws docs/package_graph.md."""
    return _package_graph().module_imports(_modules())


def _package_graph():
    spec = importlib.util.spec_from_file_location("package_graph",
                                                  REPO / "docs" / "package_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    # eval_service imports the Fints plug-in inside a function only.
    assert "assistant.profile.fints" in graph["assistant.evaluation.service"]
    assert "store.db" in graph["store"]


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_engine_and_store_never_import_each_other():
    bad = [(m, w) for m, out in import_graph().items() for w in out
           if {m.split(".")[0], w.split(".")[0]} == {"engine", "store"}]
    assert bad == []


def test_only_the_gui_launcher_imports_ui():
    bad = [(m, w) for m, out in import_graph().items() for w in out
           if not m.startswith("ui") and w.split(".")[0] == "ui" and m not in GUI_LAUNCHERS]
    assert bad == []


# Steering is a scope (`with runtime.steered(...)`): only the runtimes in engine/runtime set
# or clear a control vector, each behind its own scope (LlamaRuntime.steered, the batch
# context's variants, the activation reader's request). Tests of those runtimes call them.
STEERING_CALLS = {"set_control_vector", "clear_control_vector", "_set_control_vector",
                  "_clear_control_vector", "llama_set_adapter_cvec"}
STEERING_HOME = REPO / "engine" / "runtime"
SCANNED = (*PACKAGES, "benchmarks", "packaging")


def _steering_calls(tree: ast.AST) -> list[tuple[int, str]]:
    """`x.set_control_vector(...)` and the like: a control vector set by hand."""
    return [(node.lineno, node.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in STEERING_CALLS]


# The benchmark that measures per-sequence steering against the batch context's own
# control vector, which it must set to be the baseline.
CONTEXT_VECTOR_BASELINES = {REPO / "benchmarks" / "bench_row_steering.py"}


def test_only_the_runtimes_set_a_control_vector():
    found = []
    for top in SCANNED:
        for path in sorted((REPO / top).rglob("*.py")):
            if path.is_relative_to(STEERING_HOME) or path in CONTEXT_VECTOR_BASELINES:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(REPO)}:{n}: {name}" for n, name in _steering_calls(tree)]
    assert not found, ("steer inside `with runtime.steered(steering):` instead:\n"
                       + "\n".join(found))


def test_the_steering_call_finder_finds_one():
    tree = ast.parse("rt.set_control_vector(buf)\n"
                     "with rt.steered(s):\n    rt.clear_control_vector()\n")
    assert _steering_calls(tree) == [(1, "set_control_vector"), (3, "clear_control_vector")]


def _method_name_comparisons(tree: ast.AST, names: set[str]) -> list[tuple[int, str]]:
    """`x == "steerx"`, `x in ("dps", ...)`: a method or profile name compared as a string."""
    hits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        for side in [node.left, *node.comparators]:
            consts = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
            for c in consts:
                if isinstance(c, ast.Constant) and c.value in names:
                    hits.append((node.lineno, c.value))
    return hits


def test_no_method_name_is_compared_as_a_string_outside_the_registry():
    from assistant.method_registry import NAMES
    from engine.methods.kinds import ProfileKind

    # "none" is also an ordinary word (a key's source, a setting cleared): the registry's
    # Plain method is found by object, and the kinds below are the stored profiles.
    names = (set(NAMES) | {k.value for k in ProfileKind} | {"costeer"}) - {"none"}
    found = []
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            if path == REPO / "assistant" / "methods.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(REPO)}:{n}: {v!r}"
                      for n, v in _method_name_comparisons(tree, names)]
    assert not found, "compare with the registry's objects or ProfileKind:\n" + "\n".join(found)


def test_the_comparison_finder_finds_one():
    tree = ast.parse('if method == "steerx" or kind in ("dps", "x"):\n    pass\n')
    assert _method_name_comparisons(tree, {"steerx", "dps"}) == [(1, "steerx"), (1, "dps")]


# ---- the design lives in docs/ARCHITECTURE.md --------------------------------------------

ARCHITECTURE = REPO / "docs" / "ARCHITECTURE.md"


def _repo_python_files() -> list[Path]:
    skip = {".git", ".venv", "build", "dist", "__pycache__"}
    return sorted(p for p in REPO.rglob("*.py")
                  if not skip & set(p.relative_to(REPO).parts[:-1]))


def test_no_module_cites_design_md():
    """The design file outside the repository is gone; docs/ARCHITECTURE.md replaces it."""
    word = "DESIGN" + ".md"  # not spelled out, or this file would find itself
    found = [f"{p.relative_to(REPO)}:{n}" for p in _repo_python_files()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if word in line]
    assert not found, f"cite docs/ARCHITECTURE.md (its section) instead: {found}"


def test_every_architecture_citation_names_a_section_that_exists():
    """`docs/ARCHITECTURE.md, Layer mapping` in a docstring: the section must be there."""
    import re

    sections = [m.group(1).strip() for m in re.finditer(r"^#+ (.+)$", ARCHITECTURE.read_text(
        encoding="utf-8"), re.M)]
    bad = []
    for p in _repo_python_files():
        if p.parent == REPO / "tests" and p.name == "test_architecture.py":
            continue
        text = " ".join(line.strip().lstrip("#").strip()
                        for line in p.read_text(encoding="utf-8").splitlines())
        for m in re.finditer(r"ARCHITECTURE\.md", text):
            after = text[m.end(): m.end() + 80]
            if not any(s in after for s in sections):
                bad.append(f"{p.relative_to(REPO)}: ...{text[m.start(): m.end() + 60]}")
    assert not bad, "name a section of docs/ARCHITECTURE.md after the file:\n" + "\n".join(bad)


# ---- no module over 600 lines ---------------------------------------------------------

MAX_LINES = 600
# Modules that were longer than MAX_LINES when the limit came in, with their length then.
# None of them may grow; when one is split below the limit its entry goes. This list must
# shrink to empty.
OVER_THE_LIMIT: dict[str, int] = {}


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_over_600_lines():
    long = {str(p.relative_to(REPO)): _line_count(p)
            for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))}
    new = {p: n for p, n in long.items() if n > MAX_LINES and p not in OVER_THE_LIMIT}
    grew = {p: (OVER_THE_LIMIT[p], n) for p, n in long.items()
            if p in OVER_THE_LIMIT and n > OVER_THE_LIMIT[p]}
    stale = sorted(p for p in OVER_THE_LIMIT if long.get(p, 0) <= MAX_LINES)
    assert not new, f"split these modules below {MAX_LINES} lines: {new}"
    assert not grew, f"these long modules may not grow (allowed, now): {grew}"
    assert not stale, f"below the limit now (or gone): take them out of OVER_THE_LIMIT: {stale}"


# ---- the package graph picture --------------------------------------------------------


def test_the_package_graph_picture_is_current(tmp_path):
    """docs/package_graph.md is what docs/package_graph.py writes from today's imports."""
    import subprocess
    import sys

    out = tmp_path / "graph.md"
    subprocess.run([sys.executable, str(REPO / "docs" / "package_graph.py"), "--out", str(out)],
                   check=True, capture_output=True, timeout=120)
    committed = (REPO / "docs" / "package_graph.md").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, (
        "docs/package_graph.md is out of date: run `python docs/package_graph.py`")


def test_the_package_graph_draws_the_layers():
    import importlib.util

    spec = importlib.util.spec_from_file_location("package_graph",
                                                  REPO / "docs" / "package_graph.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    nodes, edges = mod.package_edges()
    assert {"ui", "assistant", "assistant.cli", "engine.runtime", "store"} <= set(nodes)
    assert ("ui", "assistant") in edges and ("engine.methods", "engine.runtime") in edges
    assert not [e for e in edges if {e[0].split(".")[0], e[1].split(".")[0]}
                == {"engine", "store"}]
