"""A transactional test must restore the reference data (counties, languages, content types) it flushes:
`django_db(transaction=True)` without `serialized_rollback=True` lets its flush re-create content types, and
the next serialized test in that process then fails to load its own (duplicate key). Found the hard way."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "var"}


def _django_db_marks(tree: ast.AST):
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "django_db"
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "mark"
        ):
            yield node


def _true(call: ast.Call, name: str) -> bool:
    return any(k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)


def test_every_transactional_test_restores_the_serialized_data():
    offenders = []
    for path in ROOT.rglob("test_*.py"):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        for call in _django_db_marks(ast.parse(path.read_text(encoding="utf-8"))):
            if _true(call, "transaction") and not _true(call, "serialized_rollback"):
                offenders.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert offenders == []


def test_the_check_finds_an_offender():
    bad = ast.parse("@pytest.mark.django_db(transaction=True)\ndef test_x(): pass")
    assert [c for c in _django_db_marks(bad) if _true(c, "transaction") and not _true(c, "serialized_rollback")]
