"""The answers the chapters' solutions give, for the tests of the self-checks: the answer code
of an exercise's ``{solution}`` (its last ```python block that assigns ``answer``, as the graded
releases read it, scripts/editions/graded.py), run.

Plain ``json`` and ``re``, nothing more: these tests also run in the Colab path test, against
Colab's own packages, where the repository's scripts and their dependencies are not installed.
"""

from __future__ import annotations

import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def answer_code(chapter: str, ex_id: str) -> str:
    """The answer code of ``ex_id`` in ``book/<chapter>.ipynb``: the last ```python block of
    its ``{solution}`` that assigns ``answer``."""
    cells = json.loads((ROOT / "book" / f"{chapter}.ipynb").read_text())["cells"]
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and re.match(rf"`{{3,}}\{{solution\}} {re.escape(ex_id)}\s", text):
            blocks = re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)
            code = [b for b in blocks if re.search(r"^answer\s*=", b, re.M)]
            if code:
                return code[-1]
    raise KeyError(f"{chapter}: no solution of {ex_id} with a python block assigning `answer`")


def solution_answer(chapter: str, ex_id: str):
    """The ``answer`` that ``book/<chapter>.ipynb``'s solution of ``ex_id`` assigns, run in an
    empty namespace (so only for solutions that need nothing but Python, such as the model
    answers of the written exercises)."""
    scope: dict = {}
    exec(answer_code(chapter, ex_id), scope)
    return scope["answer"]
