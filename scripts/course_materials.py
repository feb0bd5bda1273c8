"""Course materials generated from the chapters: read by the instructor guide, and used to
write the Colab edition (chapters and exercise hand-outs) and the student edition.

Everything is derived from `_toc.yml`, the chapter notebooks and the exercise registry
`lessons_lib.checks.EXERCISES`, so a new chapter appears without edits here.

    python scripts/course_materials.py colab              # (re)write colab/book/**/*.ipynb
    python scripts/course_materials.py colab --check      # exit 1 if a file is stale
    python scripts/course_materials.py student-edition    # see scripts/build_student_edition.sh
    python scripts/course_materials.py instructor-edition # see scripts/build_instructor_edition.sh

(`handouts` is another name for `colab`.)

* **Colab edition** (`colab/book/<chapter>.ipynb`, committed): what the book's *Open in Colab*
  buttons open. The chapter's cells with their MyST turned into Markdown that Colab and
  JupyterLab render (`scripts/myst_markdown.py`): no raw directives, solutions collapsed.
* **Hand-outs** (`colab/book/exercises/<chapter>.ipynb`, committed): per chapter, the Colab
  setup cell, the imports the chapter uses, and every exercise's text with its self-check
  cell; no solutions, no outputs. They open on Colab from the repository.
* **Student edition** (`_build/student/`): the book without the `{solution}` blocks. It is
  built from the notebooks the main build already executed (`_build/jupyter_execute`), so
  nothing runs a third time; the self-check cells and their outputs stay. Also writes the
  chapter notebooks without solutions (and without outputs) to `_build/student/notebooks/`.
* **Instructor edition** (`_build/instructor/`): the book with every solution shown open (the
  `{solution}` blocks without `:class: dropdown`) and an *Answer key* page: per chapter and
  exercise, the ID, the title, the solution and, side by side, the self-check that marks it.
  Built from the executed notebooks too.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import sync_setup_cells  # noqa: E402
from myst_markdown import Page, directive_blocks, options_and_body, to_jupyter_markdown  # noqa: E402

STUDENT = ROOT / "_build" / "student"
INSTRUCTOR = ROOT / "_build" / "instructor"
ANSWER_KEY = "book/answer_key"   # the instructor edition's extra page
EXECUTED = ROOT / "_build" / "jupyter_execute"
INSTRUCTOR_PAGES = {"book/instructor_guide"}   # left out of the student edition
# The table of contents the book is built with: _toc.yml, or BOOK_TOC for a build with a
# private copy (`jupyter-book build . --toc FILE`). The hand-outs always follow _toc.yml.
TOC = pathlib.Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))



# --------------------------------------------------------------------------- parsing
def toc_files(toc_path: pathlib.Path = TOC) -> list[str]:
    """Every `file:` in the table of contents, root first, in reading order."""
    toc = yaml.safe_load(toc_path.read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            for part in entry.get("parts", []) or []:
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    return files


def chapter_notebooks(toc_path: pathlib.Path = TOC) -> list[pathlib.Path]:
    """The chapter notebooks of the table of contents that exist, in order."""
    paths = [ROOT / f"{f}.ipynb" for f in toc_files(toc_path)]
    return [p for p in paths if p.exists()]


def strip_solutions(markdown: str) -> str:
    """``markdown`` without its `{solution}` blocks (and gated `{solution-start}` ...
    `{solution-end}` regions)."""
    lines = markdown.split("\n")
    drop = set()
    gated_start = None
    for name, _arg, first, last, _body in directive_blocks(markdown):
        if name == "solution":
            drop.update(range(first, last + 1))
        elif name == "solution-start":
            gated_start = first
        elif name == "solution-end" and gated_start is not None:
            drop.update(range(gated_start, last + 1))
            gated_start = None
    kept = [line for k, line in enumerate(lines) if k not in drop]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")


@dataclasses.dataclass
class ExerciseInfo:
    id: str
    text: str          # the exercise's Markdown (MyST), without the directive fence
    check_source: str  # the chapter's self-check cell
    answer_kind: str   # the comment after `answer = ...`
    title: str         # from lessons_lib.checks.EXERCISES
    checker: str       # module.function of the self-check


@dataclasses.dataclass
class ChapterInfo:
    file: str                  # e.g. book/conv_arithmetic
    title: str
    objectives: list[str]
    prerequisites: str
    needs: list[str]           # chapters the prerequisites link to or name (title before ":")
    time: str
    exercises: list[ExerciseInfo]
    helps: list[str] = dataclasses.field(default_factory=list)  # named as helpful, not required

    @property
    def name(self) -> str:
        return pathlib.Path(self.file).name


def _paragraph_after(text: str, label: str) -> str:
    m = re.search(rf"\*\*{label}:?\*\*:?\s*(.*?)(?:\n\s*\n|\Z)", text, re.S)
    return " ".join(m[1].split()) if m else ""


def chapter_info(path: pathlib.Path) -> ChapterInfo:
    from lessons_lib.checks import EXERCISES

    nb = nbformat.read(path, as_version=4)
    markdown = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    title_m = re.search(r"^#\s+(.+)$", markdown, re.M)
    objectives = []
    for name, arg, _f, _l, body in directive_blocks(markdown):
        if name == "admonition" and "objective" in arg.lower():
            _opts, text = options_and_body(body)
            items = re.split(r"\n\s*(?:\d+[.)]|[-*])\s+", "\n" + text)
            objectives = [" ".join(i.split()) for i in items[1:] if i.strip()]
            break
    prerequisites = _paragraph_after(markdown, "Prerequisites")
    # a clause that says "helps" or "not required" names chapters that help, not prerequisites
    clauses = re.split(r";\s*", prerequisites)
    helpful = " ".join(c for c in clauses if re.search(r"\bhelps?\b|not required", c, re.I))
    required = " ".join(c for c in clauses if c not in helpful)
    needs = _chapters_named(path, required)
    helps = [f for f in _chapters_named(path, helpful) if f not in needs]
    exercises = []
    cells = nb.cells
    for k, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        for name, _arg, _f, _l, body in directive_blocks(cell.source):
            if name != "exercise":
                continue
            options, text = options_and_body(body)
            ex_id = options.get("label", "")
            check_source = next((c.source for c in cells[k + 1:] if c.cell_type == "code"
                                 and f'check("{ex_id}"' in c.source), "")
            kind = re.search(r"answer\s*=\s*\.\.\.\s*#\s*(.*)", check_source)
            reg = EXERCISES.get(ex_id)
            checker = (f"{reg.checker.__module__}.{reg.checker.__name__}" if reg else "")
            exercises.append(ExerciseInfo(ex_id, text, check_source, kind[1] if kind else "",
                                          reg.title if reg else "(not registered)", checker))
    return ChapterInfo(str(path.relative_to(ROOT).with_suffix("")),
                       title_m[1].strip() if title_m else path.stem, objectives,
                       prerequisites, needs, _paragraph_after(markdown, "Time"), exercises,
                       helps)


def _chapters_named(path: pathlib.Path, text: str) -> list[str]:
    """The chapters ``text`` links to, or names by the short form of their title (before a
    ":" and before " and ...": "MobileNet" for "MobileNet and a UNet decoder")."""
    found = []
    targets = re.findall(r"\]\(([\w./-]+?)\.(?:ipynb|md)(?:#[^)]*)?\)", text)
    targets += [t.strip() for t in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", text)]
    for target in targets:
        file = str((path.parent / target).resolve().relative_to(ROOT))
        if file not in found:
            found.append(file)
    plain = text.replace("-", " ")
    for other in chapter_notebooks():
        if other == path:
            continue
        other_md = "\n".join(c.source for c in nbformat.read(other, as_version=4).cells
                             if c.cell_type == "markdown")
        other_title = re.search(r"^#\s+(.+)$", other_md, re.M)
        short = re.sub(r"^(the|a|an)\s+", "", (other_title[1] if other_title else other.stem)
                       .split(":")[0].strip(), flags=re.I)
        forms = {short, re.split(r"\s+and\s+", short)[0]}
        file = str(other.relative_to(ROOT).with_suffix(""))
        if file not in found and any(
                form and re.search(rf"\b{re.escape(form.replace('-', ' '))}\b", plain, re.I)
                for form in forms):
            found.append(file)
    return found


def repository() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]


def _org_repo() -> str:
    return repository()["url"].rstrip("/").replace("https://github.com/", "")


def colab_link(file: str) -> str:
    """The Colab URL of a page's Colab edition (``file``: e.g. ``book/resnext.ipynb``).

    The Colab edition lives under `repository.path_to_book` (``colab/``), which is also where
    the book's launch buttons point."""
    repo = repository()
    prefix = (repo.get("path_to_book") or "").strip("/")
    return (f"https://colab.research.google.com/github/{_org_repo()}/blob/"
            f"{repo.get('branch', 'main')}/{prefix + '/' if prefix else ''}{file}")


def book_url() -> str:
    """The rendered book's base URL (`html.baseurl` in `_config.yml`), ending in ``/``."""
    return yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["baseurl"].rstrip("/") + "/"


def raw_url() -> str:
    """The base URL of the repository's raw files on its branch, ending in ``/``."""
    return (f"https://raw.githubusercontent.com/{_org_repo()}/"
            f"{repository().get('branch', 'main')}/")


def page_titles() -> dict:
    """Page path without suffix -> its title, for every page of the table of contents."""
    titles = {}
    for file in toc_files(ROOT / "_toc.yml"):
        path = next((p for p in (ROOT / f"{file}.ipynb", ROOT / f"{file}.md") if p.exists()), None)
        if path is None:
            continue
        text = path.read_text() if path.suffix == ".md" else "\n".join(
            c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        m = re.search(r"^#\s+(.+)$", text, re.M)
        titles[file] = m[1].strip() if m else pathlib.Path(file).name
    return titles


def jupyter_page(file: str) -> Page:
    """How MyST on the page ``file`` (e.g. ``book/resnext``) becomes Jupyter Markdown."""
    from lessons_lib.checks import EXERCISES

    def title(label):
        return EXERCISES[label].title if label in EXERCISES else ""

    return Page(file=file, book_url=book_url(), raw_url=raw_url(), exercise_title=title,
                page_titles=page_titles())


# --------------------------------------------------------------------------- Colab edition
COLAB = ROOT / (repository().get("path_to_book") or "colab").strip("/")
HANDOUTS = COLAB / "book" / "exercises"
BOOK_ONLY_TAG = "book-only"   # cells the rendered book shows and the Colab edition leaves out
# chapter cells that define what the exercises' self-check cells use: copied into the hand-out
EXERCISE_SETUP_TAG = "exercise-setup"
TRAINS = re.compile(r"\bscale\.pick\(")   # a chapter whose sizes follow the run scale trains


def _notebook_like(source: nbformat.NotebookNode, colab: dict) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {k: source.metadata[k] for k in ("kernelspec", "language_info")
                   if k in source.metadata}
    nb.metadata["colab"] = {"provenance": [], "toc_visible": True, **colab}
    return nb


def _stable_ids(cells: list, stem: str) -> list:
    for k, cell in enumerate(cells):   # a regenerated notebook is byte-identical
        cell.id = f"{stem[:40]}-{k}"
    return cells


def colab_chapter(path: pathlib.Path) -> nbformat.NotebookNode:
    """The Colab edition of one chapter: the same cells, with MyST turned into Markdown that
    Colab renders (objectives and pitfalls as quotes, exercises as numbered headings,
    solutions collapsed in ``<details>``, links into the rendered book); no outputs; cells
    tagged ``book-only`` left out. A chapter that trains asks Colab for a GPU runtime."""
    source = nbformat.read(path, as_version=4)
    file = str(path.relative_to(ROOT).with_suffix(""))
    page = jupyter_page(file)
    trains = any(c.cell_type == "code" and TRAINS.search(c.source) for c in source.cells)
    nb = _notebook_like(source, {"gpuType": "T4"} if trains else {})
    if trains:
        nb.metadata["accelerator"] = "GPU"
    title = page.page_titles.get(file, path.stem)
    gpu = ("\n>\n> This chapter trains networks. For the full-scale runs choose a GPU runtime "
           "(*Runtime → Change runtime type → GPU*); on a CPU it runs a quick version."
           if trains else "")
    cells = [nbformat.v4.new_markdown_cell(
        f"> **Colab edition** of the chapter [{title}]({page.book_url}{file}.html) of the book "
        "*Efficient convolutional networks*. Run the cells in order from the top: the first code "
        f"cell installs the book's helper package `lessons_lib`.{gpu}")]
    for cell in source.cells:
        if BOOK_ONLY_TAG in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(to_jupyter_markdown(cell.source, page)))
        elif cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(cell.source))
    nb.cells = _stable_ids(cells, path.stem)
    return nb


def code_cell_trees(cells):
    """The parsed syntax tree of each code cell in ``cells`` (cells with IPython magics,
    which do not parse as Python, are left out)."""
    for cell in cells:
        if cell.cell_type != "code":
            continue
        try:
            yield ast.parse(cell.source)
        except SyntaxError:   # IPython magics
            continue


def chapter_imports(nb: nbformat.NotebookNode) -> list[str]:
    """The top-level import statements of the chapter's code cells (setup cell excluded)."""
    seen: list[str] = []
    for tree in code_cell_trees(nb.cells[1:]):
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                line = ast.unparse(node)
                if line not in seen:
                    seen.append(line)
    return seen


def handout(path: pathlib.Path) -> nbformat.NotebookNode:
    """The exercise hand-out of one chapter: the setup cell, the chapter's imports, the chapter's
    cells tagged ``exercise-setup`` (what the self-checks use), and each exercise (as Markdown
    Colab renders) with its self-check cell; no solutions, no outputs. It runs on its own."""
    info = chapter_info(path)
    source = nbformat.read(path, as_version=4)
    page = jupyter_page(info.file)
    nb = _notebook_like(source, {})
    cells = [nbformat.v4.new_code_cell(sync_setup_cells.setup_cell_source())]
    cells.append(nbformat.v4.new_markdown_cell(
        f"# Exercises: {info.title}\n\n"
        f"The exercises of the chapter [{info.title}]({page.book_url}{info.file}.html) of the "
        "book *Efficient convolutional networks* "
        f"([open the chapter on Colab]({colab_link(info.file + '.ipynb')})).\n\n"
        "Run the code cells up to the first exercise, then for each exercise replace `...` with "
        "your answer and run its cell: the self-check says whether it is right and gives a hint "
        "if not."))
    imports = chapter_imports(source)
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
    nb.cells = _stable_ids(cells, path.stem)
    return nb


def colab_edition() -> dict[pathlib.Path, str]:
    """Every file of the Colab edition (path -> text): each chapter and its hand-out."""
    wanted = {}
    for path in chapter_notebooks(ROOT / "_toc.yml"):
        rel = path.relative_to(ROOT)
        wanted[COLAB / rel] = nbformat.writes(colab_chapter(path)) + "\n"
        if chapter_info(path).exercises:
            wanted[HANDOUTS / path.name] = nbformat.writes(handout(path)) + "\n"
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


# --------------------------------------------------------------------------- student edition
def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = strip_solutions(cell.source)
    nb.cells = [c for c in nb.cells if c.cell_type != "markdown" or c.source.strip()]
    return nb


def _build_edition(src: pathlib.Path, root: pathlib.Path, jupyter_book: str) -> pathlib.Path:
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
    pages = [p for f in toc_files() for p in (ROOT / f"{f}.ipynb", ROOT / f"{f}.md")
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
                             "update STUDENT_INTRO in scripts/course_materials.py")
        text = text.replace(old, new)
    return text


def build_student_edition(jupyter_book: str = "jupyter-book") -> pathlib.Path:
    """Write _build/student/{src,notebooks} and build _build/student/_build/html."""
    src = STUDENT / "src"
    if src.exists():
        shutil.rmtree(src)
    (src / "book").mkdir(parents=True)
    files = [f for f in toc_files() if f not in INSTRUCTOR_PAGES]
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

    return _build_edition(src, STUDENT, jupyter_book)


# --------------------------------------------------------------------------- instructor edition
def expand_solutions(markdown: str) -> str:
    """``markdown`` with every `{solution}` block shown open: its ``dropdown`` class dropped
    (``:class: dropdown`` goes; other classes stay)."""
    lines = markdown.split("\n")
    for name, _arg, first, last, _body in directive_blocks(markdown):
        if name != "solution":
            continue
        for k in range(first + 1, last):
            m = re.match(r"^(\s*):class:(.*)$", lines[k])
            if not m:
                if not re.match(r"^\s*:[\w-]+:", lines[k]):
                    break   # the options end where the body starts
                continue
            classes = [c for c in m[2].split() if c != "dropdown"]
            lines[k] = f"{m[1]}:class: {' '.join(classes)}" if classes else None
    return "\n".join(line for line in lines if line is not None)


def _fenced(text: str, info: str = "") -> str:
    """``text`` in a backtick fence longer than any backtick run inside it."""
    runs = [len(r) for r in re.findall(r"`{3,}", text)]
    fence = "`" * max([3, *(r + 1 for r in runs)])
    return f"{fence}{info}\n{text}\n{fence}"


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line.strip() else "" for line in text.split("\n"))


def solutions_of(path: pathlib.Path) -> dict[str, str]:
    """Exercise ID -> the Markdown of its `{solution}` block (options dropped), for a chapter."""
    nb = nbformat.read(path, as_version=4)
    out = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for name, arg, _f, _l, body in directive_blocks(cell.source):
                if name == "solution":
                    out[arg] = options_and_body(body)[1]
    return out


def answer_key_markdown(chapters: list[pathlib.Path]) -> str:
    """The *Answer key* page (MyST, in book/): for every chapter and exercise, the ID, the
    title, and a two-column table: the solution, and the self-check that marks it (the
    checker's module.name and its source code)."""
    import inspect

    from lessons_lib.checks import EXERCISES

    parts = ["# Answer key", "",
             "Every exercise of the book with its solution and, next to it, the self-check that "
             "marks a learner's answer (`check(\"<ID>\", answer)` from `lessons_lib.checks`). "
             "Generated from the chapters and `lessons_lib.checks.EXERCISES` by "
             "`python scripts/course_materials.py instructor-edition`."]
    for path in chapters:
        info = chapter_info(path)
        solutions = solutions_of(path)
        parts += ["", f"## {info.title}", "", f"The chapter: {{doc}}`{info.title} <{path.stem}>`."]
        for ex in info.exercises:
            checker = EXERCISES[ex.id].checker if ex.id in EXERCISES else None
            source = inspect.getsource(checker).rstrip() if checker else "(no self-check)"
            solution = solutions.get(ex.id, "(no solution in the chapter)")
            table = "\n".join([
                ":header-rows: 1", ":widths: 1 1", "",
                "* - Solution", "  - Self-check",
                "* - " + _indent(solution).lstrip(),
                f"  - `{ex.checker or 'none'}`", "",
                _indent(_fenced(source, "python")),
            ])
            parts += ["", f"### `{ex.id}`: {ex.title}", "",
                      _fenced(table, "{list-table}")]
    return "\n".join(parts) + "\n"


def _edition_config(title: str) -> dict:
    """The book's _config.yml for an edition built from executed notebooks."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = f"{config['title']} ({title})"
    config["execute"]["execute_notebooks"] = "off"
    sphinx = config.setdefault("sphinx", {})
    sphinx["local_extensions"] = {name: str((ROOT / path).resolve())
                                  for name, path in sphinx.get("local_extensions", {}).items()}
    return config


def build_instructor_edition(jupyter_book: str = "jupyter-book") -> pathlib.Path:
    """Write _build/instructor/src (every page, solutions shown open, and the answer key) and
    build _build/instructor/_build/html from the notebooks the main build executed."""
    src = INSTRUCTOR / "src"
    if src.exists():
        shutil.rmtree(src)
    (src / "book").mkdir(parents=True)
    files = toc_files()
    executed = {}
    for file in files:
        source = next((p for p in (ROOT / f"{file}.ipynb", ROOT / f"{file}.md") if p.exists()),
                      None)
        done = EXECUTED / f"{file}.ipynb"
        if source is None or (source.suffix == ".md" and "{code-cell}" not in source.read_text()):
            continue   # a page without code (intro.md): copied as it is below
        if not done.exists() or done.stat().st_mtime < source.stat().st_mtime:
            raise SystemExit(f"instructor edition: {done.relative_to(ROOT)} is missing or older "
                             f"than {source.relative_to(ROOT)}; build the book first "
                             "(bash scripts/build_book.sh)")
        executed[file] = done
    for item in (ROOT / "book").rglob("*"):
        rel = item.relative_to(ROOT)
        if item.is_file() and item.suffix != ".ipynb" and "exercises" not in rel.parts \
                and ".ipynb_checkpoints" not in rel.parts \
                and str(rel.with_suffix("")) not in executed:
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, src / rel)
    for file, done in executed.items():
        nb = read_executed(done)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = expand_solutions(cell.source)
        nbformat.write(nb, src / f"{file}.ipynb")
    (src / f"{ANSWER_KEY}.md").write_text(answer_key_markdown(chapter_notebooks()))

    (src / "_config.yml").write_text(
        yaml.safe_dump(_edition_config("instructor edition"), sort_keys=False))
    toc = yaml.safe_load(TOC.read_text())
    toc.setdefault("chapters", []).append({"file": ANSWER_KEY})
    (src / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))

    return _build_edition(src, INSTRUCTOR, jupyter_book)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("colab", "handouts"):   # one command: the hand-outs are part of the edition
        h = sub.add_parser(name, help="write the Colab edition: colab/book/*.ipynb and "
                                      "colab/book/exercises/*.ipynb")
        h.add_argument("--check", action="store_true", help="report stale files, write nothing")
    sub.add_parser("executed-fresh", help="exit 1 if the main build's executed notebooks are "
                                          "missing or older than the pages")
    sub.add_parser("student-edition", help="build _build/student (after the main build)")
    sub.add_parser("instructor-edition",
                   help="build _build/instructor: solutions open, answer key (after the main build)")
    args = parser.parse_args(argv)
    if args.command in ("colab", "handouts"):
        return write_colab_edition(check=args.check)
    if args.command == "executed-fresh":
        stale = stale_executed_pages()
        for page in stale:
            print(f"not executed since it changed: {page.relative_to(ROOT)}")
        return 1 if stale else 0
    if args.command == "instructor-edition":
        html = build_instructor_edition()
        print(f"instructor edition: {html / 'index.html'}\n"
              f"answer key: {html / (ANSWER_KEY + '.html')}")
        return 0
    html = build_student_edition()
    print(f"student edition: {html / 'index.html'}\n"
          f"student notebooks (no solutions): {STUDENT / 'notebooks'}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
