"""Read a chapter's prose as the book will show it: glued values filled in from an executed
notebook, so you can check every sentence against the output it stands next to.

    python scripts/glued_prose.py _build/jupyter_execute/book/resnext.ipynb
    python scripts/glued_prose.py /tmp/resnext.ipynb --cells 12-20

It reads the glued values from the notebook's hidden glue outputs (a notebook executed by
nbconvert) or from ``<page>.glue.json`` beside it (where the book build keeps them).

Glue roles (``{glue:text}`name:fmt```, ``{glue:md}`name```, ``{glue}`name```) are replaced by
``«value»``; a key no code cell glued is shown as ``«MISSING name»`` and makes the exit code 1
(the book build fails on it too). Keys glued but never used are listed at the end.
"""

from __future__ import annotations

import argparse
import ast
import json
import pathlib
import re
import sys

ROLE = re.compile(r"\{glue(?::(?P<kind>\w*))?\}`(?P<body>[^`]+)`")
PREFIX = "application/papermill.record/"


def glued_values(cells: list[dict]) -> dict[str, dict]:
    """Every glued key of an executed notebook with its mime bundle (prefix removed)."""
    values = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook")
            if meta:
                prefix = meta.get("mime_prefix", "")
                values[meta["name"]] = {k[len(prefix):]: v for k, v in output["data"].items()}
    return values


def render(body: str, kind: str | None, values: dict) -> str:
    key, _, spec = body.partition(":")
    if key not in values:
        return f"«MISSING {key}»"
    data = values[key]
    if kind == "md":
        return "«" + "".join(data.get("text/markdown", "?")) + "»"
    text = "".join(data.get("text/plain", "?"))
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    try:
        return "«" + (format(value, spec) if spec else str(value)) + "»"
    except (TypeError, ValueError) as exc:
        return f"«BAD FORMAT {body}: {exc}»"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=pathlib.Path, help="an executed chapter notebook")
    parser.add_argument("--cells", help="a range of cell indices, e.g. 10-20")
    args = parser.parse_args(argv)
    cells = json.loads(args.notebook.read_text())["cells"]
    values = glued_values(cells)
    # the book build (MyST-NB) moves the glued values out of the notebook into <page>.glue.json
    glue_file = args.notebook.with_suffix(".glue.json")
    if glue_file.exists():
        values.update({key: output["data"]
                       for key, output in json.loads(glue_file.read_text()).items()})
    lo, hi = 0, len(cells) - 1
    if args.cells:
        lo, _, hi_text = args.cells.partition("-")
        lo, hi = int(lo), int(hi_text or lo)
    used, missing = set(), 0
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for m in ROLE.finditer(source):
                used.add(m["body"].partition(":")[0])
            text = ROLE.sub(lambda m: render(m["body"], m["kind"], values), source)
            missing += text.count("«MISSING")
        if not lo <= i <= hi:
            continue
        if cell["cell_type"] == "markdown":
            print(f"--- [{i}] markdown\n{text}")
        else:
            print(f"--- [{i}] code\n{source}")
            for output in cell.get("outputs", []):
                if output.get("metadata", {}).get("scrapbook"):
                    continue
                data = output.get("text") or output.get("data", {}).get("text/plain", "")
                if data:
                    print("  >> " + "".join(data).replace("\n", "\n  >> ")[:3000])
    unused = sorted(set(values) - used)
    if unused:
        print(f"glued but not used in the prose: {', '.join(unused)}")
    if missing:
        print(f"{missing} glue reference(s) with no glued value", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
