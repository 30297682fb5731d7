"""The package layout: one documented package per stage, and no reaching into another package's privates."""

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "contradict"
STAGES = ("ingest", "claims", "pairing", "scoring", "findings", "jobs", "evaluation", "training")


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_is_a_documented_package(stage):
    module = importlib.import_module(f"contradict.{stage}")
    assert module.__doc__ and len(module.__doc__.strip().splitlines()) >= 2, f"{stage}/__init__.py needs a docstring"
    for name in getattr(module, "__all__", ()):
        assert hasattr(module, name), f"contradict.{stage}.__all__ names {name!r}, which it does not define"


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("contradict"):
            for alias in node.names:
                yield node.module, alias.name


def test_no_module_imports_another_packages_private_names():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        own = path.relative_to(PACKAGE).parts[0] if len(path.relative_to(PACKAGE).parts) > 1 else None
        for module, name in _imports(path):
            parts = module.split(".")
            target = parts[1] if len(parts) > 1 else None
            if name.startswith("_") and not name.startswith("__") and target != own:
                offenders.append(f"{path.relative_to(PACKAGE)}: from {module} import {name}")
    assert not offenders, offenders


def test_stages_import_downstream_only():
    """Earlier stages never import later ones (records, errors and the stage itself aside)."""
    order = {stage: i for i, stage in enumerate(("ingest", "claims", "pairing", "scoring", "findings"))}
    offenders = []
    for stage, rank in order.items():
        for path in (PACKAGE / stage).rglob("*.py"):
            for module, _name in _imports(path):
                parts = module.split(".")
                target = parts[1] if len(parts) > 1 else None
                if target in order and order[target] > rank:
                    offenders.append(f"{stage}/{path.name} imports {module}")
    assert not offenders, offenders
