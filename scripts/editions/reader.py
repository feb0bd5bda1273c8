"""The shared reader of the chapters, used by every edition: the table of contents, each
chapter's objectives, prerequisites, time and exercises (:func:`chapter_info`), the
repository and book addresses (from `_config.yml`), and the notebook helpers the editions
share (:func:`notebook_like`, :func:`stable_ids`, :func:`chapter_imports`).

Everything is derived from `_toc.yml`, the chapter notebooks and the exercise registry
`lessons_lib.checks.EXERCISES`, so a new chapter appears without edits here.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import pathlib
import re
import sys

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from myst_markdown import Page, directive_blocks, options_and_body  # noqa: E402,F401

#: The notebooks the main build executed (the student and instructor editions reuse them).
EXECUTED = ROOT / "_build" / "jupyter_execute"
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




# --------------------------------------------------------------------------- notebooks
def notebook_like(source: nbformat.NotebookNode, colab: dict) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {k: source.metadata[k] for k in ("kernelspec", "language_info")
                   if k in source.metadata}
    nb.metadata["colab"] = {"provenance": [], "toc_visible": True, **colab}
    return nb


def stable_ids(cells: list, stem: str) -> list:
    for k, cell in enumerate(cells):   # a regenerated notebook is byte-identical
        cell.id = f"{stem[:40]}-{k}"
    return cells




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


