"""Course materials generated from the chapters: read by the instructor guide, and used to
write the exercise hand-outs and the student edition.

Everything is derived from `_toc.yml`, the chapter notebooks and the exercise registry
`lessons_lib.checks.EXERCISES`, so a new chapter appears without edits here.

    python scripts/course_materials.py handouts           # (re)write book/exercises/*.ipynb
    python scripts/course_materials.py handouts --check   # exit 1 if one is stale
    python scripts/course_materials.py student-edition    # see scripts/build_student_edition.sh

* **Hand-outs** (`book/exercises/<chapter>.ipynb`, committed): per chapter, the Colab setup
  cell, the imports the chapter uses, and every exercise's text with its self-check cell;
  no solutions, no outputs. They open on Colab from the repository.
* **Student edition** (`_build/student/`): the book without the `{solution}` blocks. It is
  built from the notebooks the main build already executed (`_build/jupyter_execute`), so
  nothing runs a third time; the self-check cells and their outputs stay. Also writes the
  chapter notebooks without solutions (and without outputs) to `_build/student/notebooks/`.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
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

HANDOUTS = ROOT / "book" / "exercises"
STUDENT = ROOT / "_build" / "student"
EXECUTED = ROOT / "_build" / "jupyter_execute"
INSTRUCTOR_PAGES = {"book/instructor_guide"}   # left out of the student edition
# The table of contents the book is built with: _toc.yml, or BOOK_TOC for a build with a
# private copy (`jupyter-book build . --toc FILE`). The hand-outs always follow _toc.yml.
TOC = pathlib.Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))

FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}(?P<arg>.*)$")


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


def directive_blocks(markdown: str):
    """Yield (name, argument, first line index, last line index, body lines) for every
    fenced MyST directive (``` or :::, any length) at the top level of ``markdown``."""
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        char, width = m["fence"][0], len(m["fence"])
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped and set(stripped) == {char} and len(stripped) >= width:
                break
            j += 1
        yield m["name"], m["arg"].strip(), i, min(j, len(lines) - 1), lines[i + 1:j]
        i = j + 1


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


def _options_and_body(body: list[str]) -> tuple[dict, str]:
    options, k = {}, 0
    while k < len(body) and (m := re.match(r"^:(\w[\w-]*):\s*(.*)$", body[k].strip())):
        options[m[1]] = m[2]
        k += 1
    return options, "\n".join(body[k:]).strip("\n")


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
            _opts, text = _options_and_body(body)
            items = re.split(r"\n\s*(?:\d+[.)]|[-*])\s+", "\n" + text)
            objectives = [" ".join(i.split()) for i in items[1:] if i.strip()]
            break
    prerequisites = _paragraph_after(markdown, "Prerequisites")
    needs = []
    targets = re.findall(r"\]\(([\w./-]+?)\.(?:ipynb|md)(?:#[^)]*)?\)", prerequisites)
    targets += [t.strip() for t in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", prerequisites)]
    for target in targets:
        file = str((path.parent / target).resolve().relative_to(ROOT))
        if file not in needs:
            needs.append(file)
    exercises = []
    cells = nb.cells
    for k, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        for name, _arg, _f, _l, body in directive_blocks(cell.source):
            if name != "exercise":
                continue
            options, text = _options_and_body(body)
            ex_id = options.get("label", "")
            check_source = next((c.source for c in cells[k + 1:] if c.cell_type == "code"
                                 and f'check("{ex_id}"' in c.source), "")
            kind = re.search(r"answer\s*=\s*\.\.\.\s*#\s*(.*)", check_source)
            reg = EXERCISES.get(ex_id)
            checker = (f"{reg.checker.__module__}.{reg.checker.__name__}" if reg else "")
            exercises.append(ExerciseInfo(ex_id, text, check_source, kind[1] if kind else "",
                                          reg.title if reg else "(not registered)", checker))
    # ... and chapters named in the text (by the short form of their title)
    for other in chapter_notebooks():
        if other == path:
            continue
        other_md = "\n".join(c.source for c in nbformat.read(other, as_version=4).cells
                             if c.cell_type == "markdown")
        other_title = re.search(r"^#\s+(.+)$", other_md, re.M)
        short = re.sub(r"^(the|a|an)\s+", "", (other_title[1] if other_title else other.stem)
                       .split(":")[0].strip(), flags=re.I)
        file = str(other.relative_to(ROOT).with_suffix(""))
        plain = prerequisites.replace("-", " ")
        if short and re.search(rf"\b{re.escape(short.replace('-', ' '))}\b", plain, re.I) \
                and file not in needs:
            needs.append(file)
    return ChapterInfo(str(path.relative_to(ROOT).with_suffix("")),
                       title_m[1].strip() if title_m else path.stem, objectives,
                       prerequisites, needs, _paragraph_after(markdown, "Time"), exercises)


def repository() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]


def colab_link(file: str) -> str:
    repo = repository()
    path = repo["url"].rstrip("/").replace("https://github.com/", "")
    return (f"https://colab.research.google.com/github/{path}/blob/"
            f"{repo.get('branch', 'main')}/{file}")


# --------------------------------------------------------------------------- hand-outs
def chapter_imports(nb: nbformat.NotebookNode) -> list[str]:
    """The top-level import statements of the chapter's code cells (setup cell excluded)."""
    seen: list[str] = []
    for cell in nb.cells[1:]:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:   # IPython magics
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                line = ast.unparse(node)
                if line not in seen:
                    seen.append(line)
    return seen


def handout(path: pathlib.Path) -> nbformat.NotebookNode:
    """The exercise hand-out of one chapter (see the module doc)."""
    info = chapter_info(path)
    source = nbformat.read(path, as_version=4)
    nb = nbformat.v4.new_notebook()
    nb.metadata = {k: source.metadata[k] for k in ("kernelspec", "language_info")
                   if k in source.metadata}
    cells = [nbformat.v4.new_code_cell(sync_setup_cells.setup_cell_source())]
    cells[0].metadata["tags"] = ["remove-cell"]
    cells.append(nbformat.v4.new_markdown_cell(
        f"# Exercises: {info.title}\n\n"
        f"The exercises of the chapter *{info.title}* of the book *Efficient convolutional "
        f"networks* ([open the chapter on Colab]({colab_link(info.file + '.ipynb')})).\n\n"
        "Run the first two cells, then for each exercise replace `...` with your answer and "
        "run its cell: the self-check says whether it is right and gives a hint if not.\n\n"
        "*Generated by `scripts/course_materials.py` from the chapter; do not edit.*"))
    imports = chapter_imports(source)
    if not any("lessons_lib.checks import check" in line for line in imports):
        imports.append("from lessons_lib.checks import check")
    cells.append(nbformat.v4.new_code_cell("\n".join(imports)))
    for n, ex in enumerate(info.exercises, 1):
        cells.append(nbformat.v4.new_markdown_cell(
            f"## Exercise {n}: {ex.title} (`{ex.id}`)\n\n{ex.text}"))
        cells.append(nbformat.v4.new_code_cell(ex.check_source))
    for cell in cells:   # stable ids: a regenerated hand-out is byte-identical
        cell.id = f"{path.stem[:40]}-{cells.index(cell)}"
    nb.cells = cells
    return nb


def write_handouts(check: bool = False) -> int:
    HANDOUTS.mkdir(parents=True, exist_ok=True)
    stale = []
    wanted = {}
    for path in chapter_notebooks(ROOT / "_toc.yml"):
        wanted[HANDOUTS / path.name] = nbformat.writes(handout(path)) + "\n"
    for target, text in wanted.items():
        if not target.exists() or target.read_text() != text:
            stale.append(target)
            if not check:
                target.write_text(text)
    for extra in sorted(set(HANDOUTS.glob("*.ipynb")) - set(wanted)):
        stale.append(extra)
        if not check:
            extra.unlink()
    for target in stale:
        print(f"{'out of date' if check else 'updated'}: {target.relative_to(ROOT)}")
    return 1 if (check and stale) else 0


# --------------------------------------------------------------------------- student edition
def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = strip_solutions(cell.source)
    nb.cells = [c for c in nb.cells if c.cell_type != "markdown" or c.source.strip()]
    return nb


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
    (STUDENT / "notebooks").mkdir(parents=True, exist_ok=True)
    for file in files:
        source = ROOT / f"{file}.ipynb"
        if not source.exists():
            continue
        executed = EXECUTED / f"{file}.ipynb"
        if not executed.exists() or executed.stat().st_mtime < source.stat().st_mtime:
            raise SystemExit(f"student edition: {executed.relative_to(ROOT)} is missing or older "
                             f"than {file}.ipynb; build the book first (bash scripts/build_book.sh)")
        nbformat.write(student_notebook(nbformat.read(executed, as_version=4)),
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

    out = STUDENT / "_build"
    if out.exists():
        shutil.rmtree(out)
    subprocess.run([jupyter_book, "build", str(src), "--path-output", str(STUDENT),
                    "-W", "-n", "--keep-going", "-q"], check=True)
    return out / "html"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    h = sub.add_parser("handouts", help="write book/exercises/<chapter>.ipynb")
    h.add_argument("--check", action="store_true", help="report stale hand-outs, write nothing")
    sub.add_parser("student-edition", help="build _build/student (after the main build)")
    args = parser.parse_args(argv)
    if args.command == "handouts":
        return write_handouts(check=args.check)
    html = build_student_edition()
    print(f"student edition: {html / 'index.html'}\n"
          f"student notebooks (no solutions): {STUDENT / 'notebooks'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
