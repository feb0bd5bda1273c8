"""The instructor edition (`_build/instructor/`): the book with every solution shown open
(the `{solution}` blocks without `:class: dropdown`) and an *Answer key* page: per chapter
and exercise, the ID, the title, the solution and, side by side, the self-check that marks
it. Built from the executed notebooks too (:mod:`editions.student`).
"""

from __future__ import annotations

import pathlib
import re
import shutil

import nbformat
import yaml

from editions import reader, student
from editions.reader import ROOT, TOC

INSTRUCTOR = ROOT / "_build" / "instructor"
ANSWER_KEY = "book/answer_key"   # the instructor edition's extra page


def expand_solutions(markdown: str) -> str:
    """``markdown`` with every `{solution}` block shown open: its ``dropdown`` class dropped
    (``:class: dropdown`` goes; other classes stay)."""
    lines = markdown.split("\n")
    for name, _arg, first, last, _body in reader.directive_blocks(markdown):
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
            for name, arg, _f, _l, body in reader.directive_blocks(cell.source):
                if name == "solution":
                    out[arg] = reader.options_and_body(body)[1]
    return out


def answer_key_markdown(chapter_paths: list[pathlib.Path]) -> str:
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
    for path in chapter_paths:
        info = reader.chapter_info(path)
        solutions = solutions_of(path)
        parts += ["", f"## {info.title}", "", f"The chapter: {{doc}}`{info.title} <{path.stem}>`."]
        for ex in info.exercises:
            reg = EXERCISES.get(ex.id)
            checker = reg.checker if reg else None
            source = inspect.getsource(checker).rstrip() if checker else "(no self-check)"
            solution = solutions.get(ex.id, "(no solution in the chapter)")
            if reg is not None and reg.written:
                # a person grades it: the rubric takes the place of the checker's code
                marks = ["  - Rubric (written: graded by a person; points: what earns them)", ""]
                marks += [f"    * {level}" for level in reg.rubric]
            else:
                marks = [f"  - `{ex.checker or 'none'}`", "", _indent(_fenced(source, "python"))]
            table = "\n".join([
                ":header-rows: 1", ":widths: 1 1", "",
                "* - Solution", "  - Self-check",
                "* - " + _indent(solution).lstrip(),
                *marks,
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
    files = reader.toc_files()
    executed = {}
    for file in files:
        source = next((p for p in (ROOT / f"{file}.ipynb", ROOT / f"{file}.md") if p.exists()),
                      None)
        done = reader.EXECUTED / f"{file}.ipynb"
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
        nb = student.read_executed(done)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = expand_solutions(cell.source)
        nbformat.write(nb, src / f"{file}.ipynb")
    (src / f"{ANSWER_KEY}.md").write_text(answer_key_markdown(reader.chapter_notebooks()))

    (src / "_config.yml").write_text(
        yaml.safe_dump(_edition_config("instructor edition"), sort_keys=False))
    toc = yaml.safe_load(TOC.read_text())
    toc.setdefault("chapters", []).append({"file": ANSWER_KEY})
    (src / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))

    return student.build_edition(src, INSTRUCTOR, jupyter_book)


