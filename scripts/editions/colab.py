"""The Colab edition (`colab/book/<chapter>.ipynb`, committed): what the book's *Open in
Colab* buttons open. The chapter's cells with their MyST turned into Markdown that Colab and
JupyterLab render (`scripts/myst_markdown.py`): no raw directives, solutions collapsed. Its
student edition (`colab/student/book/<chapter>.ipynb`) is the same with the solutions removed.
:func:`write_colab_edition` writes both and the hand-outs (:mod:`editions.handouts`).
"""

from __future__ import annotations

import pathlib
import re

import nbformat

from editions import reader, handouts
from editions.reader import ROOT, strip_solutions
from myst_markdown import to_jupyter_markdown

COLAB = ROOT / (reader.repository().get("path_to_book") or "colab").strip("/")
#: The Colab student edition: every chapter whole, without solutions (for a course's students)
COLAB_STUDENT = COLAB / "student"
BOOK_ONLY_TAG = "book-only"   # cells the rendered book shows and the Colab edition leaves out
TRAINS = re.compile(r"\bscale\.pick\(")   # a chapter whose sizes follow the run scale trains


def colab_chapter(path: pathlib.Path, solutions: bool = True) -> nbformat.NotebookNode:
    """The Colab edition of one chapter: the same cells, with MyST turned into Markdown that
    Colab renders (objectives and pitfalls as quotes, exercises as numbered headings,
    solutions collapsed in ``<details>``, links into the rendered book); no outputs; cells
    tagged ``book-only`` left out. A chapter that trains asks Colab for a GPU runtime.
    With ``solutions=False``, the Colab student edition: the same notebook with every
    ``{solution}`` block removed (:func:`strip_solutions`) before the conversion."""
    source = nbformat.read(path, as_version=4)
    file = str(path.relative_to(ROOT).with_suffix(""))
    page = reader.jupyter_page(file)
    trains = any(c.cell_type == "code" and TRAINS.search(c.source) for c in source.cells)
    nb = reader.notebook_like(source, {"gpuType": "T4"} if trains else {})
    if trains:
        nb.metadata["accelerator"] = "GPU"
    title = page.page_titles.get(file, path.stem)
    gpu = ("\n>\n> This chapter trains networks. For the full-scale runs choose a GPU runtime "
           "(*Runtime → Change runtime type → GPU*); on a CPU it runs a quick version."
           if trains else "")
    edition = "Colab edition" if solutions else "Colab student edition (no solutions)"
    cells = [nbformat.v4.new_markdown_cell(
        f"> **{edition}** of the chapter [{title}]({page.book_url}{file}.html) of the book "
        "*Efficient convolutional networks*. Run the cells in order from the top: the first code "
        f"cell installs the book's helper package `lessons_lib`.{gpu}")]
    for cell in source.cells:
        if BOOK_ONLY_TAG in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown":
            text = cell.source if solutions else strip_solutions(cell.source)
            if text.strip():
                cells.append(nbformat.v4.new_markdown_cell(to_jupyter_markdown(text, page)))
        elif cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(cell.source))
    nb.cells = reader.stable_ids(cells, path.stem)
    return nb




def colab_edition() -> dict[pathlib.Path, str]:
    """Every file of the Colab edition (path -> text): each chapter, its copy without
    solutions (the Colab student edition) and its hand-out."""
    wanted = {}
    for path in reader.chapter_notebooks(ROOT / "_toc.yml"):
        rel = path.relative_to(ROOT)
        wanted[COLAB / rel] = nbformat.writes(colab_chapter(path)) + "\n"
        wanted[COLAB_STUDENT / rel] = nbformat.writes(colab_chapter(path, solutions=False)) + "\n"
        if reader.chapter_info(path).exercises:
            wanted[handouts.HANDOUTS / path.name] = nbformat.writes(handouts.handout(path)) + "\n"
    return wanted


def write_colab_edition(check: bool = False) -> int:
    """Write the Colab edition (or, with ``check``, report what is stale); 1 if stale."""
    wanted = colab_edition()
    stale = [target for target, text in wanted.items()
             if not target.exists() or target.read_text() != text]
    extra = sorted(set(COLAB.rglob("*.ipynb")) - set(wanted)) if COLAB.exists() else []
    if not check:
        for target in stale:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(wanted[target])
        for target in extra:
            target.unlink()
    for target in stale + extra:
        print(f"{'out of date' if check else 'updated'}: {target.relative_to(ROOT)}")
    return 1 if (check and (stale or extra)) else 0


