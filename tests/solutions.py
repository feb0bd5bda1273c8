"""The answers the chapters' solutions give, for the tests of the self-checks: the answer code
of an exercise's ``{solution}`` (its last ```python block that assigns ``answer``, as the graded
releases read it), run."""

from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from editions import graded  # noqa: E402


def solution_answer(chapter: str, ex_id: str):
    """The ``answer`` that ``book/<chapter>.ipynb``'s solution of ``ex_id`` assigns, run in an
    empty namespace (so only for solutions that need nothing but Python, such as the model
    answers of the written exercises)."""
    code = graded.answer_code(ROOT / "book" / f"{chapter}.ipynb")[ex_id]
    scope: dict = {}
    exec(code, scope)
    return scope["answer"]
