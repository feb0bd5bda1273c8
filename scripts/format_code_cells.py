"""Reflow the chapters' code cells to the width the book's column shows (79 characters).

The rendered book's article column holds 79 characters of code at its code font
(`_static/code-width.css`; `tests/browser/test_pages.py` measures it), so every
code line a reader sees must be at most 79 characters long, or the block scrolls
sideways. `tests/test_notebooks.py` checks the lengths; this script makes them so:

* a trailing comment that makes its line too long first moves to its own line above
  it (black would otherwise split the code around the comment);
* then each code cell the book shows goes through black (line length 79, long strings
  split, quotes left as written), the formatter Keras's own source uses;
* a comment line that is still too long is rewrapped at the same indent;
* the setup cell (tagged ``remove-cell``: Colab runs it, the book does not show it)
  is left to `scripts/sync_setup_cells.py`.

Whatever is still too long (a long string black cannot split, code in the prose) is
printed, with its notebook and cell, for a hand edit. Black is a maintainer's tool, not part of the
build: ``pip install "black[jupyter]"`` first.

    python scripts/format_code_cells.py               # every chapter in book/
    python scripts/format_code_cells.py book/xception.ipynb --check
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys
import textwrap

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: The longest code line the book's column shows without scrolling (see the module docstring).
LINE_LENGTH = 79
#: Code inside an exercise or solution box: the box's padding leaves room for 74 characters.
NESTED_LINE_LENGTH = 74


def shown_in_book(cell) -> bool:
    """True for a code cell whose source the rendered book shows."""
    tags = set(cell.metadata.get("tags", []))
    return cell.cell_type == "code" and not tags & {"remove-cell", "remove-input"}


def long_lines(source: str, limit: int = LINE_LENGTH) -> list[str]:
    """The lines of ``source`` longer than ``limit`` characters."""
    return [line for line in source.split("\n") if len(line) > limit]


def fenced_code(markdown: str) -> list[tuple[str, bool]]:
    """The code blocks of a Markdown cell (fences with no info or python/text), each with
    True when it is nested in a MyST directive's fence (`````{solution}`` around
    ```` ```python ````)."""
    blocks, stack = [], []   # stack: [fence, info, lines] of the open fences
    for line in markdown.split("\n"):
        fence = re.match(r"^\s*(`{3,}|~{3,})\s*(\S*)", line)
        if fence and stack and fence.group(1) == stack[-1][0] and not fence.group(2):
            done = stack.pop()
            if done[1] in ("", "python", "text"):
                blocks.append(("\n".join(done[2]), bool(stack)))
        elif fence:
            stack.append([fence.group(1), fence.group(2), []])
        elif stack:
            stack[-1][2].append(line)
    return blocks


def too_long(nb) -> list[str]:
    """One line per code line the book shows that does not fit: longer than LINE_LENGTH in
    a code cell or in the prose, NESTED_LINE_LENGTH in an exercise or solution box."""
    found = []
    for index, cell in enumerate(nb.cells):
        blocks = ([(cell.source, False)] if shown_in_book(cell) else
                  fenced_code(cell.source) if cell.cell_type == "markdown" else [])
        found += [f"cell {index}: {len(line)} characters: {line.strip()[:80]}"
                  for block, nested in blocks
                  for line in long_lines(block, NESTED_LINE_LENGTH if nested else LINE_LENGTH)]
    return found


def wrap_comments(source: str, limit: int = LINE_LENGTH) -> str:
    """Rewrap comments longer than ``limit``; move a too-long trailing comment above.

    A run of full-line comments at one indent that holds a too-long line is rewrapped
    as one paragraph. A trailing comment is left where it is when its ``#`` could be
    inside a string (an odd number of quotes before it)."""
    def wrap(indent, text):
        return textwrap.wrap(text, limit, initial_indent=f"{indent}# ",
                             subsequent_indent=f"{indent}# ", break_long_words=False,
                             break_on_hyphens=False)

    lines, out, i = source.split("\n"), [], 0
    while i < len(lines):
        line = lines[i]
        full = re.match(r"^(\s*)# ?(.*)$", line)
        if full:
            indent, run, start = full.group(1), [], i
            while i < len(lines) and re.match(rf"^{indent}#(?!\s\s)", lines[i]):
                run.append(re.sub(r"^\s*# ?", "", lines[i]))
                i += 1
            if not run:   # an indented comment line ("#   x"): keep it
                out.append(line)
                i += 1
            elif any(len(indent) + 2 + len(text) > limit for text in run):
                out += wrap(indent, " ".join(run))
            else:
                out += lines[start:i]
            continue
        trailing = re.match(r"^(\s*)(\S.*?)\s{2}# (.*)$", line)
        if len(line) > limit and trailing and "#" not in trailing.group(2) \
                and trailing.group(2).count('"') % 2 == 0 \
                and trailing.group(2).count("'") % 2 == 0:
            indent, code, text = trailing.groups()
            out += wrap(indent, text) + [f"{indent}{code}"]
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def format_source(source: str) -> str:
    """One code cell's source through :func:`wrap_comments`, black, then wrap_comments again
    (for the comments black's reflow left too long)."""
    import black  # a maintainer's tool: imported here so the tests need not have it

    mode = black.Mode(line_length=LINE_LENGTH, string_normalization=False, preview=True,
                      unstable=True)
    source = wrap_comments(source)
    try:
        source = black.format_cell(source, fast=False, mode=mode)
    except black.NothingChanged:
        pass
    return wrap_comments(source)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a shown line is too long")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    still_long = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if not args.check:
            for cell in nb.cells:
                if shown_in_book(cell):
                    cell.source = format_source(cell.source)
            path.write_text(nbformat.writes(nb) + "\n")  # as sync_setup_cells.py writes
        for line in too_long(nb):
            still_long += 1
            print(f"{path.name} {line}")
    return 1 if (args.check and still_long) else 0


if __name__ == "__main__":
    sys.exit(main())
