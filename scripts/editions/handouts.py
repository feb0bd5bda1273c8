"""Exercise hand-outs (`colab/book/exercises/<chapter>.ipynb`, committed): per chapter, the
Colab setup cell, the imports the chapter uses, the cells tagged ``exercise-setup`` and every
exercise's text with its self-check cell; no solutions, no outputs. They open on Colab from
the repository. :func:`editions.colab.write_colab_edition` writes them.
"""

from __future__ import annotations

import pathlib

import nbformat

import sync_setup_cells
from editions import reader
from myst_markdown import to_jupyter_markdown

#: Where the hand-outs live: the Colab edition's `book/exercises/`.
HANDOUTS = (reader.ROOT / (reader.repository().get("path_to_book") or "colab").strip("/")
            / "book" / "exercises")
# chapter cells that define what the exercises' self-check cells use: copied into the hand-out
EXERCISE_SETUP_TAG = "exercise-setup"


def handout(path: pathlib.Path) -> nbformat.NotebookNode:
    """The exercise hand-out of one chapter: the setup cell, the chapter's imports, the chapter's
    cells tagged ``exercise-setup`` (what the self-checks use), and each exercise (as Markdown
    Colab renders) with its self-check cell; no solutions, no outputs. It runs on its own."""
    info = reader.chapter_info(path)
    source = nbformat.read(path, as_version=4)
    page = reader.jupyter_page(info.file)
    nb = reader.notebook_like(source, {})
    cells = [nbformat.v4.new_code_cell(sync_setup_cells.setup_cell_source())]
    cells.append(nbformat.v4.new_markdown_cell(
        f"# Exercises: {info.title}\n\n"
        f"The exercises of the chapter [{info.title}]({page.book_url}{info.file}.html) of the "
        "book *Efficient convolutional networks* "
        f"([open the chapter on Colab]({reader.colab_link(info.file + '.ipynb')})).\n\n"
        "Run the code cells up to the first exercise, then for each exercise replace `...` with "
        "your answer and run its cell: the self-check says whether it is right and gives a hint "
        "if not."))
    imports = reader.chapter_imports(source)
    if not any("lessons_lib.checks import check" in line for line in imports):
        imports.append("from lessons_lib.checks import check")
    cells.append(nbformat.v4.new_code_cell("\n".join(imports)))
    setup = [c.source for c in source.cells
             if c.cell_type == "code" and EXERCISE_SETUP_TAG in c.metadata.get("tags", [])]
    if setup:
        cells.append(nbformat.v4.new_markdown_cell(
            "From the chapter, the names the exercises below use (run these cells too):"))
        cells += [nbformat.v4.new_code_cell(code) for code in setup]
    for n, ex in enumerate(info.exercises, 1):
        text = to_jupyter_markdown(ex.text, page)
        cells.append(nbformat.v4.new_markdown_cell(
            f'<a id="{ex.id}"></a>\n\n## Exercise {n}: {ex.title} (`{ex.id}`)\n\n{text}'))
        cells.append(nbformat.v4.new_code_cell(ex.check_source))
    nb.cells = reader.stable_ids(cells, path.stem)
    return nb


