"""Which exercises are answered by the chapter itself: every candidate answer the executed
chapter shows (outside the solutions), tried on each exercise's self-check.

A candidate is a number that identifies an answer (one with a fractional part, a percentage
as a fraction, or a whole number of 1,000 or more: small whole numbers such as 3 or 64 are
printed everywhere as kernel sizes and channel counts and give nothing away), a tuple of whole numbers, or a quoted
word. The text searched is what a learner sees before the exercise: the outputs of the code
cells above it, and the statements of the chapter's other exercises. Cells tagged ``measured``
are left out: their numbers are timings on the machine that ran them, and what is computed
from timings, so they change from run to run and from machine to machine; a match there is
chance, not a give-away, and counting it would make the test differ between machines (the CI
build once printed a layer's 1.98 GMAC/s, the answer of comparison-2).

    python tests/giveaways.py [CHAPTER ...]     # prints each give-away; exits 1 if any
"""

from __future__ import annotations

import html
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "jupyter_execute" / "book"

NUMBER = re.compile(r"(?<![\w.])(-?\d[\d,]*(?:\.\d+)?)(%?)")
TUPLE = re.compile(r"\((\s*\d+\s*(?:,\s*\d+\s*)+)\)")
QUOTED = re.compile(r"""['"]([A-Za-z_][\w.-]*)['"]""")
#: The tag of a cell whose printed numbers are machine measurements (timings and what is
#: computed from them).
MEASURED = "measured"
EXERCISE = re.compile(r"^```\{exercise\}\s*\n:label:\s*(\S+)\n(.*?)^```", re.M | re.S)


def output_text(cell) -> str:
    """What a code cell shows: its streams, and each output's text/plain (else its HTML
    without tags)."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        data = out.get("data", {})
        if "text/plain" in data:
            parts.append(data["text/plain"])
        if "text/html" in data:
            parts.append(html.unescape(re.sub(r"<[^>]+>", " ", data["text/html"])))
        if "text/markdown" in data:
            parts.append(data["text/markdown"])
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def candidates(text: str) -> set:
    """The candidate answers in ``text`` (see the module docstring)."""
    found = set()
    for digits, percent in NUMBER.findall(text):
        raw = digits.replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        if percent:
            found.add(value / 100)
        if value.is_integer() and abs(value) >= 1000:
            found.add(int(value))
        elif not value.is_integer():
            found.add(value)
    for inner in TUPLE.findall(text):
        found.add(tuple(int(v) for v in inner.split(",")))
    found |= set(QUOTED.findall(text))
    return found


def exercises_and_text(path: pathlib.Path) -> list[tuple[str, str]]:
    """(exercise ID, the text a learner has seen when they reach it) for each exercise."""
    nb = nbformat.read(path, as_version=4)
    statements = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            statements.update({m[0]: m[1] for m in EXERCISE.findall(cell.source)})
    seen, result = [], []
    for cell in nb.cells:
        if cell.cell_type == "code" and MEASURED not in cell.metadata.get("tags", []):
            seen.append(output_text(cell))
        for ex_id in (m[0] for m in EXERCISE.findall(cell.source)) if cell.cell_type == "markdown" else ():
            others = [text for other, text in statements.items() if other != ex_id]
            result.append((ex_id, "\n".join(seen + others)))
    return result


def giveaways(path: pathlib.Path) -> list[str]:
    """One line per exercise of the executed chapter ``path`` that a shown value answers."""
    from lessons_lib.checks import EXERCISES, check

    problems = []
    for ex_id, text in exercises_and_text(path):
        if ex_id not in EXERCISES or EXERCISES[ex_id].written:
            continue
        hits = sorted((c for c in candidates(text) if check(ex_id, c).correct), key=repr)
        if hits:
            problems.append(f"{path.stem}: {ex_id} is answered by {hits[0]!r}, which the "
                            "chapter shows before it (or another exercise states)")
    return problems


def main(argv: list[str]) -> int:
    paths = [EXECUTED / f"{n}.ipynb" for n in argv] or sorted(EXECUTED.glob("*.ipynb"))
    problems = [line for p in paths for line in giveaways(p)]
    print("\n".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
