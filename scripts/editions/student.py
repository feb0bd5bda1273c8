"""The student edition (`_build/student/`): the book without the `{solution}` blocks. It is
built from the notebooks the main build already executed (`_build/jupyter_execute`), so
nothing runs a third time; the self-check cells and their outputs stay. Also writes the
chapter notebooks without solutions (and without outputs) to `_build/student/notebooks/`.
:func:`build_edition` and :func:`read_executed` are shared with the instructor edition.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import nbformat
import yaml

from editions import reader
from editions.reader import EXECUTED, ROOT, TOC, strip_solutions

STUDENT = ROOT / "_build" / "student"
INSTRUCTOR_PAGES = {"book/instructor_guide"}   # left out of the student edition


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = strip_solutions(cell.source)
    nb.cells = [c for c in nb.cells if c.cell_type != "markdown" or c.source.strip()]
    return nb


def build_edition(src: pathlib.Path, root: pathlib.Path, jupyter_book: str) -> pathlib.Path:
    """Build the book in ``src`` (executed notebooks, execution off) into ``root/_build/html``,
    every warning an error; return that folder."""
    out = root / "_build"
    if out.exists():
        shutil.rmtree(out)
    subprocess.run([jupyter_book, "build", str(src), "--path-output", str(root),
                    "-W", "-n", "--keep-going", "-q"], check=True)
    return out / "html"


def read_executed(path: pathlib.Path) -> nbformat.NotebookNode:
    """An executed notebook of the main build with its glued values put back.

    MyST-NB takes the hidden glue outputs out of the notebook it writes to
    ``_build/jupyter_execute`` and keeps them beside it in ``<page>.glue.json``; an edition
    built from that notebook (execution off) would find no value for ``{glue:text}`key```. The
    values go back as the hidden outputs they were, in the first code cell, so the student and
    instructor editions show the numbers the main build computed."""
    nb = nbformat.read(path, as_version=4)
    glue_file = path.with_suffix(".glue.json")
    if not glue_file.exists():
        return nb
    code = next((c for c in nb.cells if c.cell_type == "code"), None)
    if code is None:
        raise SystemExit(f"{path}: glued values but no code cell to hold them")
    for key, output in json.loads(glue_file.read_text()).items():
        prefix = output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
        code.outputs.append(nbformat.from_dict({
            "output_type": "display_data",
            "metadata": {"scrapbook": {"name": key, "mime_prefix": prefix}},
            "data": {prefix + mime: value for mime, value in output["data"].items()}}))
    return nb


def stale_executed_pages() -> list[pathlib.Path]:
    """The pages of the table of contents whose executed copy (`_build/jupyter_execute`) is
    missing or older than the page: the chapters and the Markdown pages with code cells."""
    pages = [p for f in reader.toc_files() for p in (ROOT / f"{f}.ipynb", ROOT / f"{f}.md")
             if p.exists() and (p.suffix == ".ipynb" or "{code-cell}" in p.read_text())]
    stale = []
    for page in pages:
        executed = EXECUTED / page.relative_to(ROOT).with_suffix(".ipynb")
        if not executed.exists() or executed.stat().st_mtime < page.stat().st_mtime:
            stale.append(page)
    return stale


#: What the intro says that is not true of the student edition, and what it says there instead:
#: the edition has no launch buttons, no solutions, and the repository holds the solutions.
STUDENT_INTRO = [
    ("Use the rocket icon at the top of a chapter and choose *Colab*.",
     "Open the chapter notebooks your instructor shares with you."),
    ("* **Run it locally.** Clone the repository and follow its README: one command builds this book,\n"
     "  another runs every test; `jupyter lab book/` opens the notebooks.\n", ""),
    ("and a solution hidden\nbehind a *Solution* toggle.",
     "; this edition leaves the\nsolutions out (your instructor has them)."),
]


def student_intro(text: str) -> str:
    """The intro page as the student edition shows it (:data:`STUDENT_INTRO`).

    Raises:
        SystemExit: if a sentence to replace is no longer in the intro (edit the table).
    """
    for old, new in STUDENT_INTRO:
        if old not in text:
            raise SystemExit(f"student edition: book/intro.md no longer says {old[:60]!r}; "
                             "update STUDENT_INTRO in scripts/editions/student.py")
        text = text.replace(old, new)
    return text


def build_student_edition(jupyter_book: str = "jupyter-book") -> pathlib.Path:
    """Write _build/student/{src,notebooks} and build _build/student/_build/html."""
    src = STUDENT / "src"
    if src.exists():
        shutil.rmtree(src)
    (src / "book").mkdir(parents=True)
    files = [f for f in reader.toc_files() if f not in INSTRUCTOR_PAGES]
    # everything the pages may refer to (intro, images), then the chapters
    for item in (ROOT / "book").rglob("*"):
        rel = item.relative_to(ROOT)
        if item.is_file() and item.suffix != ".ipynb" and "exercises" not in rel.parts \
                and ".ipynb_checkpoints" not in rel.parts:
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, src / rel)
    (src / "book" / "intro.md").write_text(student_intro((ROOT / "book" / "intro.md").read_text()))
    (STUDENT / "notebooks").mkdir(parents=True, exist_ok=True)
    for file in files:
        source = ROOT / f"{file}.ipynb"
        if not source.exists():
            continue
        executed = EXECUTED / f"{file}.ipynb"
        if not executed.exists() or executed.stat().st_mtime < source.stat().st_mtime:
            raise SystemExit(f"student edition: {executed.relative_to(ROOT)} is missing or older "
                             f"than {file}.ipynb; build the book first (bash scripts/build_book.sh)")
        nbformat.write(student_notebook(read_executed(executed)),
                       src / f"{file}.ipynb")
        plain = student_notebook(nbformat.read(source, as_version=4))
        nbformat.write(plain, STUDENT / "notebooks" / f"{pathlib.Path(file).name}.ipynb")

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = f"{config['title']} (student edition)"
    config["execute"]["execute_notebooks"] = "off"
    # the repository's notebooks hold the solutions: no launch, repository or issue links
    config.pop("launch_buttons", None)
    config["html"].update(use_repository_button=False, use_issues_button=False)
    sphinx = config.setdefault("sphinx", {})
    sphinx["local_extensions"] = {name: str((ROOT / path).resolve())
                                  for name, path in sphinx.get("local_extensions", {}).items()}
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    toc = yaml.safe_load(TOC.read_text())

    def prune(entries):
        out = []
        for entry in entries or []:
            if entry.get("file") in INSTRUCTOR_PAGES:
                continue
            entry = dict(entry)
            if "sections" in entry:
                entry["sections"] = prune(entry["sections"])
            out.append(entry)
        return out

    if "chapters" in toc:
        toc["chapters"] = prune(toc["chapters"])
    for part in toc.get("parts", []) or []:
        part["chapters"] = prune(part.get("chapters"))
    (src / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))

    return build_edition(src, STUDENT, jupyter_book)


