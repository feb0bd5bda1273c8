"""The Colab edition (`colab/book/**/*.ipynb`): fresh, no MyST left, solutions collapsed.

The book's *Open in Colab* buttons open `<path_to_book>/<page>.ipynb`; that file must be the
Colab edition of the page. The converter (`scripts/myst_markdown.py`) is tested on every MyST
construct it knows and on the ones it must refuse. How a Jupyter front end shows the edition
(nbconvert's HTML in Chromium) is tested in `tests/browser/test_colab_render.py`.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import nbformat
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from editions import reader, colab  # noqa: E402
import sync_setup_cells  # noqa: E402
from myst_markdown import MystError, Page, myst_leftovers, to_jupyter_markdown  # noqa: E402

CHAPTERS = reader.chapter_notebooks(ROOT / "_toc.yml")
EDITION = sorted(colab.COLAB.rglob("*.ipynb"))


def page(**kw) -> Page:
    return Page(file="book/here", book_url="https://book.example/", raw_url="https://raw.example/",
                exercise_title=lambda label: {"here-1": "First"}.get(label, ""), **kw)


def convert(text: str, **kw) -> str:
    return to_jupyter_markdown(text, page(**kw))


# --------------------------------------------------------------------------- the converter
def test_admonition_becomes_a_block_quote_with_its_title():
    out = convert("before\n\n```{admonition} Learning objectives\n:class: tip\n1. one\n2. two\n```")
    assert out == "before\n\n> **Learning objectives**\n>\n> 1. one\n> 2. two"


def test_named_and_dropdown_admonitions():
    assert convert("```{warning}\nCareful.\n```") == "> **Warning**\n>\n> Careful."
    out = convert("```{admonition} More\n:class: dropdown\nHidden text.\n```")
    assert out == "<details>\n<summary>More</summary>\n\nHidden text.\n\n</details>"


def test_exercise_becomes_a_numbered_heading_with_its_id_and_solution_is_collapsed():
    text = ("```{exercise}\n:label: here-1\nHow many?\n```\n\n"
            "````{solution} here-1\n:class: dropdown\nSeven: $3 + 4$.\n```python\nx = 7\n```\n````\n\n"
            ":::{exercise}\n:label: here-2\nWhy?\n:::")
    p = page()
    out = to_jupyter_markdown(text, p)
    assert '<a id="here-1"></a>\n\n### Exercise 1: First (`here-1`)\n\nHow many?' in out
    assert "### Exercise 2 (`here-2`)\n\nWhy?" in out
    assert ("<details>\n<summary>Solution</summary>\n\nSeven: $3 + 4$.\n```python\nx = 7\n```"
            "\n\n</details>") in out
    assert p.exercises_seen == ["here-1", "here-2"]
    assert myst_leftovers(out) == []


def test_numbering_continues_across_cells_of_one_page():
    p = page()
    to_jupyter_markdown("```{exercise}\n:label: a-1\nA\n```", p)
    assert "### Exercise 2 (`a-2`)" in to_jupyter_markdown("```{exercise}\n:label: a-2\nB\n```", p)


def test_exercise_without_label_is_refused():
    with pytest.raises(MystError, match="without a :label:"):
        convert("```{exercise}\nNo id.\n```")


def test_cross_references_point_at_the_rendered_book():
    p = page(page_titles={"book/resnext": "ResNeXt-50"})
    out = to_jupyter_markdown(
        "See {doc}`resnext`, {doc}`the chapter <xception>`, [this](factorized.ipynb#costs) "
        "and [intro](intro.md).", p)
    assert out == ("See [ResNeXt-50](https://book.example/book/resnext.html), "
                   "[the chapter](https://book.example/book/xception.html), "
                   "[this](https://book.example/book/factorized.html#costs) and "
                   "[intro](https://book.example/book/intro.html).")


def test_images_and_files_resolve_to_the_repository_and_external_links_stay():
    out = convert('![a cat](img/cat.png) <img src="../figs/x.svg" alt="x"> '
                  "[data](data.csv) [web](https://example.org/a.ipynb) [top](#top)")
    assert out == ('![a cat](https://raw.example/book/img/cat.png) '
                   '<img src="https://raw.example/figs/x.svg" alt="x"> '
                   "[data](https://raw.example/book/data.csv) [web](https://example.org/a.ipynb) "
                   "[top](#top)")
    with pytest.raises(MystError, match="leaves the repository"):
        convert("![x](../../outside.png)")


def test_math_roles_and_directives_become_dollar_math():
    assert convert("a {math}`x^2` b") == "a $x^2$ b"
    assert convert("```{math}\nE = mc^2\n```") == "$$\nE = mc^2\n$$"


def test_glued_values_become_their_names_and_the_cell_says_where_the_run_prints_them():
    out = convert("It costs {glue:text}`sep_share:.1%` and {glue:md}`verdict`.\n\n"
                  "```{solution} here-1\nAbout {glue:text}`sep_share:.2f` or {glue}`n`.\n```")
    assert out.startswith("It costs `sep_share` and `verdict`.")
    assert "About `sep_share` or `n`." in out
    assert out.endswith("*These values are computed by your run: the code above prints "
                        "`sep_share`, `verdict`, `n` as `name = value`.*")
    assert convert("{glue:text}`x:,`") == ("`x`\n\n*This value is computed by your run: the "
                                          "code above prints `x` as `name = value`.*")
    assert myst_leftovers(out) == []


def test_glue_from_another_page_is_refused():
    with pytest.raises(MystError, match="glue key"):
        convert("{glue:text}`other::x`")


def test_label_targets_become_anchors_and_comments_go():
    assert convert("(sec-costs)=\n% a note to authors\n## Costs") == '<a id="sec-costs"></a>\n## Costs'


def test_code_blocks_are_left_exactly_as_they_are():
    text = "```text\n{doc}`not a role` (x)=\n% not a comment\n```"
    assert convert(text) == text


def test_unknown_directives_roles_and_substitutions_are_refused():
    with pytest.raises(MystError, match=r"directive \{tab-set\}"):
        convert("```{tab-set}\nx\n```")
    with pytest.raises(MystError, match=r"role \{ref\}"):
        convert("see {ref}`sec-costs`")
    with pytest.raises(MystError, match="substitutions"):
        convert("Version {{ version }}")


@pytest.mark.parametrize("text, kind", [
    ("```{note}\nx\n```", "directive"), (":::{note}\nx\n:::", "directive"),
    ("see {doc}`x`", "role"), ("(label)=", "label target"), (":class: dropdown", "directive option"),
    ("{{ sub }}", "substitution"), ("$$ (eq-1)", "equation label"), (r"\(x\)", "LaTeX delimiters"),
])
def test_leftover_detector_finds_each_kind(text, kind):
    assert any(item.startswith(kind) for item in myst_leftovers(text)), myst_leftovers(text)


# --------------------------------------------------------------------------- the edition
def test_colab_edition_is_fresh():
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "course_materials.py"),
                            "colab", "--check"], capture_output=True, text=True)
    assert check.returncode == 0, (
        "the Colab edition is out of date; run: python scripts/course_materials.py colab\n"
        + check.stdout + check.stderr)


def test_launch_buttons_open_the_colab_edition_of_every_chapter():
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    prefix = repo["path_to_book"].strip("/")
    assert (ROOT / prefix).resolve() == colab.COLAB.resolve()
    for path in CHAPTERS:
        rel = path.relative_to(ROOT)
        assert (ROOT / prefix / rel).exists(), f"no Colab edition of {rel}"
        assert reader.colab_link(str(rel)).endswith(f"/blob/{repo['branch']}/{prefix}/{rel}")


@pytest.mark.parametrize("path", EDITION, ids=lambda p: str(p.relative_to(colab.COLAB)))
def test_no_myst_left_and_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            assert myst_leftovers(cell.source) == [], f"{path.name} cell {i}"
        else:
            assert cell.outputs == [] and cell.execution_count is None
            assert "remove-cell" not in cell.metadata.get("tags", [])
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.source == sync_setup_cells.setup_cell_source()


def _solutions(nb: nbformat.NotebookNode) -> list[str]:
    return [
        "\n".join(body) for cell in nb.cells if cell.cell_type == "markdown"
        for name, _a, _f, _l, body in reader.directive_blocks(cell.source) if name == "solution"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_solution_is_collapsed_and_every_exercise_keeps_its_id(path):
    source = nbformat.read(path, as_version=4)
    edition = nbformat.read(colab.COLAB / path.relative_to(ROOT), as_version=4)
    markdown = "\n\n".join(c.source for c in edition.cells if c.cell_type == "markdown")
    details = re.findall(r"<details>\n<summary>Solution</summary>\n(.*?)</details>", markdown, re.S)
    solutions = _solutions(source)
    assert len(details) == len(solutions) > 0
    outside = re.sub(r"<details>.*?</details>", "", markdown, flags=re.S)
    for solution in solutions:
        # the first distinctive line of every solution is inside a <details>, never outside
        line = next(x for x in solution.split("\n") if x.strip() and not x.startswith(":"))
        line = to_jupyter_markdown(line, reader.jupyter_page("book/x")).strip()
        assert any(line in d for d in details), line
        assert line not in outside, f"solution text outside <details>: {line}"
    info = reader.chapter_info(path)
    for n, ex in enumerate(info.exercises, 1):
        assert f"### Exercise {n}: {ex.title} (`{ex.id}`)" in markdown


def test_book_only_cells_are_left_out(tmp_path, monkeypatch):
    nb = nbformat.read(CHAPTERS[0], as_version=4)
    marker = nbformat.v4.new_markdown_cell('<div class="live-panel">only in the book</div>')
    marker.metadata["tags"] = ["book-only"]
    nb.cells.insert(2, marker)
    fake = ROOT / "book" / "_test_book_only.ipynb"
    monkeypatch.setattr(reader, "jupyter_page", lambda file: reader.Page(
        file=file, book_url="https://b/", raw_url="https://r/"))
    try:
        nbformat.write(nb, fake)
        out = colab.colab_chapter(fake)
    finally:
        fake.unlink()
    assert "only in the book" not in "\n".join(c.source for c in out.cells)
    book_only = sum("book-only" in c.metadata.get("tags", []) for c in nb.cells)
    assert len(out.cells) == len(nb.cells) + 1 - book_only   # a note cell added


def test_training_chapters_ask_colab_for_a_gpu():
    for path in CHAPTERS:
        edition = nbformat.read(colab.COLAB / path.relative_to(ROOT), as_version=4)
        trains = any("scale.pick(" in c.source for c in nbformat.read(path, as_version=4).cells)
        assert (edition.metadata.get("accelerator") == "GPU") == trains, path.name


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_colab_student_edition_is_the_whole_chapter_without_solutions(path):
    """Issue 18 item 7: every chapter whole on Colab, solutions removed, nothing else."""
    rel = path.relative_to(ROOT)
    student_path = colab.COLAB_STUDENT / rel
    assert student_path.exists(), f"no Colab student edition of {rel}"
    student = nbformat.read(student_path, as_version=4)
    edition = nbformat.read(colab.COLAB / rel, as_version=4)
    code = [c.source for c in edition.cells if c.cell_type == "code"]
    assert [c.source for c in student.cells if c.cell_type == "code"] == code
    markdown = "\n\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    assert "<summary>Solution</summary>" not in markdown and "{solution" not in markdown
    assert "Colab student edition (no solutions)" in student.cells[0].source
    chapter = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    outside = {tuple(w) for w in _six_word_runs(reader.strip_solutions(chapter))}
    # padded with spaces, so a run matches whole words only ("192 the" is not in "192 then")
    text = " " + " ".join(re.findall(r"[a-z0-9]+", markdown.lower())) + " "
    for solution in _solutions(nbformat.read(path, as_version=4)):
        for run in set(_six_word_runs(solution)) - outside:
            assert f" {' '.join(run)} " not in text, f"{student_path.name} leaks: {' '.join(run)}"
    for n, ex in enumerate(reader.chapter_info(path).exercises, 1):
        assert f"### Exercise {n}: {ex.title} (`{ex.id}`)" in markdown


def _six_word_runs(text: str) -> list:
    w = re.findall(r"[a-z0-9]+", text.lower())
    return [tuple(w[i:i + 6]) for i in range(len(w) - 5)]
