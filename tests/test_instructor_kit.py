"""The instructor kit: the per-chapter notes, the computed logistics, the instructor edition.

* `book/instructor_notes.yml`: every chapter of `_toc.yml` has notes and no other chapter does;
  each 50- and 90-minute plan adds up; every `where` and `corrected_by.section` is a heading of
  that chapter or one of its registered exercise IDs. The checker itself is tested on broken
  notes, so a check that could not fail would show.
* Logistics (`scripts/instructor_kit.py`): computed from the chapters' code and `lessons_lib`.
* The instructor edition (`_build/instructor/`, built by scripts/build_instructor_edition.sh or
  scripts/test.sh after the main build): every solution of the full book is on its page, shown
  open (no dropdown, no closed `<details>`), and the answer key lists every registered exercise
  with its solution and its self-check. Skipped when it is not built, unless
  REQUIRE_BUILT_BOOK=1 (scripts/test.sh).
"""

from __future__ import annotations

import copy
import os
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from editions import reader, instructor  # noqa: E402
import instructor_kit as kit  # noqa: E402

CHAPTERS = reader.chapter_notebooks(ROOT / "_toc.yml")
FULL = ROOT / "_build" / "html"
INSTRUCTOR_HTML = instructor.INSTRUCTOR / "_build" / "html"


@pytest.fixture(scope="module")
def notes():
    return kit.load_notes()


# --------------------------------------------------------------------------- the notes
def test_every_chapter_has_notes_and_no_unknown_chapter_does(notes):
    files = {str(p.relative_to(ROOT).with_suffix("")) for p in CHAPTERS}
    assert files, "no chapters in _toc.yml"
    assert set(notes) == files


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_plans_add_up_and_name_real_places(notes, path):
    file = str(path.relative_to(ROOT).with_suffix(""))
    entry = notes[file]
    assert sum(i["minutes"] for i in entry["session_50"]) == 50
    assert sum(i["minutes"] for i in entry["session_90"]) == 90
    headings = set(kit.chapter_headings(path))
    from lessons_lib.checks import EXERCISES
    ids = {ex.id for ex in reader.chapter_info(path).exercises if ex.id in EXERCISES}
    places = [i["where"] for s in kit.SESSIONS for i in entry[s]]
    places += [m["corrected_by"]["section"] for m in entry["misconceptions"]]
    unknown = [p for p in places if p not in headings | ids]
    assert not unknown, f"{file}: not a heading or exercise ID of the chapter: {unknown}"
    assert len(entry["misconceptions"]) >= 3


def test_notes_problems_is_empty_for_the_real_notes(notes):
    assert kit.notes_problems(notes, CHAPTERS) == []


def test_notes_problems_finds_each_kind_of_mistake(notes):
    broken = copy.deepcopy(notes)
    first = str(CHAPTERS[0].relative_to(ROOT).with_suffix(""))
    last = str(CHAPTERS[-1].relative_to(ROOT).with_suffix(""))
    broken[first]["session_50"][0]["minutes"] += 1
    broken[first]["session_90"][0]["where"] = "A section nobody wrote"
    broken[first]["misconceptions"][0]["corrected_by"]["section"] = "conv-arith-99"
    broken["book/no_such_chapter"] = broken.pop(last)
    problems = "\n".join(kit.notes_problems(broken, CHAPTERS))
    assert f"{first}.session_50: the minutes add up to 51, not 50" in problems
    assert "'A section nobody wrote' is neither a heading" in problems
    assert "'conv-arith-99' is neither a heading" in problems
    assert f"{last}: no notes" in problems
    assert "book/no_such_chapter: notes for a chapter that is not in the table" in problems


@pytest.mark.parametrize("mutate, message", [
    (lambda e: e["session_50"][0].update(minutes="five"), "minutes must be a positive whole"),
    (lambda e: e["session_90"][0].pop("where"), "must be a mapping with the keys minutes"),
    (lambda e: e.pop("misconceptions"), "must be a mapping with exactly the keys"),
    (lambda e: e["misconceptions"][0].update(corrected_by="Summary"), "corrected_by"),
])
def test_load_notes_refuses_malformed_entries(notes, tmp_path, mutate, message):
    import yaml

    broken = copy.deepcopy(notes)
    mutate(broken[next(iter(broken))])
    path = tmp_path / "notes.yml"
    path.write_text(yaml.safe_dump(broken))
    with pytest.raises(ValueError, match=message):
        kit.load_notes(path)


def test_chapter_headings_skip_code_and_directive_fences(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        "# Title\n\n## A section\n\n```python\n# a comment, not a heading\n```\n\n"
        "````{exercise}\n:label: x-1\n## not a section either\n````\n\n### Sub $1 \\times 1$")]
    path = tmp_path / "c.ipynb"
    nbformat.write(nb, path)
    assert kit.chapter_headings(path) == ["Title", "A section", "Sub $1 \\times 1$"]


# --------------------------------------------------------------------------- logistics
def _chapter(stem):
    path = ROOT / "book" / f"{stem}.ipynb"
    if path not in CHAPTERS:
        pytest.skip(f"{stem} is not in _toc.yml")
    return path


def test_logistics_of_a_chapter_that_trains_nothing():
    log = kit.logistics(_chapter("conv_arithmetic"))
    assert not log.trains and log.downloads == []
    assert "quick" in log.time


def test_logistics_name_the_data_and_the_weights_with_their_stated_sizes():
    log = kit.logistics(_chapter("mobilenet_unet"))
    assert log.trains
    pets = next(d for d in log.downloads if "PETS_IMAGES_URLS" in d.what)
    assert "755 MiB" in pets.size and "18 MiB" in pets.size
    weights = next(d for d in log.downloads if "weights of `mobilenet`" in d.what)
    assert "without the classifier" in weights.what

    v3 = kit.logistics(_chapter("inception_v3")).downloads
    top = next(d for d in v3 if d.what.startswith("ImageNet weights of `inception_v3` (with "))
    assert top.size.startswith("92 MB")
    assert any("FLOWERS_URL" in d.what and "218 MiB" in d.size for d in v3)
    assert any("ELEPHANT_URL" in d.what for d in v3)


def test_logistics_skip_data_that_full_scale_generates(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        'data = load_classification(prefer=scale.pick(quick="flowers", full="generated"))\n'
        'seg = load_segmentation(prefer="generated")\n'
        'm = xception(weights=scale.pick(quick=None, full="imagenet"))')]
    path = tmp_path / "c.ipynb"
    nbformat.write(nb, path)
    log = kit.logistics(path)
    assert log.trains
    assert [d.what for d in log.downloads] == ["ImageNet weights of `xception` (with the classifier)"]
    assert log.downloads[0].size.startswith("88 MB")


def test_constant_doc_reads_the_comment_above_a_constant():
    assert "218 MiB" in kit.constant_doc("lessons_lib.data.download.FLOWERS_URL")
    # a one-line constant right below another shares its comment
    assert "18 MiB" in kit.constant_doc("lessons_lib.data.download.PETS_ANNOTATIONS_URLS")
    with pytest.raises(ValueError, match="NO_SUCH"):
        kit.constant_doc("lessons_lib.data.download.NO_SUCH")


# --------------------------------------------------------------------------- instructor edition
def test_expand_solutions_drops_only_the_dropdown_of_solutions():
    text = "\n".join([
        "```{admonition} Hint", ":class: dropdown", "keep me closed", "```",
        "````{solution} x-1", ":label: s-1", ":class: dropdown", "Secret one.", "````",
        ":::{solution} x-2", ":class: dropdown tight", "Secret two.", ":::",
        "````{solution} x-3", "The body says", ":class: dropdown", "````"])
    out = instructor.expand_solutions(text).split("\n")
    assert out[:4] == ["```{admonition} Hint", ":class: dropdown", "keep me closed", "```"]
    assert out[4:8] == ["````{solution} x-1", ":label: s-1", "Secret one.", "````"]
    assert out[8:11] == [":::{solution} x-2", ":class: tight", "Secret two."]
    assert out[-3:] == ["The body says", ":class: dropdown", "````"]   # body text stays


def test_answer_key_lists_every_exercise_with_solution_and_checker_source():
    from lessons_lib.checks import EXERCISES

    page = instructor.answer_key_markdown(CHAPTERS)
    ids = [ex.id for p in CHAPTERS for ex in reader.chapter_info(p).exercises]
    assert set(EXERCISES) <= set(ids), "a registered exercise is in no chapter of _toc.yml"
    for path in CHAPTERS:
        solutions = instructor.solutions_of(path)
        for ex in reader.chapter_info(path).exercises:
            assert f"### `{ex.id}`: {ex.title}" in page
            if EXERCISES[ex.id].written:   # graded by a person: the rubric, level by level
                assert all(f"* {level}" in page for level in EXERCISES[ex.id].rubric), ex.id
            else:
                assert ex.checker and f"`{ex.checker}`" in page
                assert f"def {ex.checker.rpartition('.')[2]}(" in page
            first_line = solutions[ex.id].strip().split("\n")[0]
            assert first_line in page, ex.id


# --------------------------------------------------------------------------- the built edition
needs_build = pytest.mark.skipif(
    not (INSTRUCTOR_HTML / "index.html").exists() and os.environ.get("REQUIRE_BUILT_BOOK") != "1",
    reason="the instructor edition is not built (bash scripts/build_instructor_edition.sh)")


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _soup(path: pathlib.Path):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(), "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup


def _hidden(tag) -> bool:
    """Inside a closed <details>, or a toggle/dropdown that starts collapsed."""
    for node in [tag, *tag.parents]:
        if node.name == "details" and not node.has_attr("open"):
            return True
        classes = node.get("class") or []
        if "dropdown" in classes or "toggle-hidden" in classes:
            return True
    return False


@needs_build
def test_instructor_edition_is_built_with_the_guide_and_the_answer_key():
    assert (INSTRUCTOR_HTML / "index.html").exists(), "run bash scripts/build_instructor_edition.sh"
    assert (INSTRUCTOR_HTML / "book" / "instructor_guide.html").exists()
    assert (INSTRUCTOR_HTML / f"{instructor.ANSWER_KEY}.html").exists()


@needs_build
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_solution_is_shown_open(path):
    file = str(path.relative_to(ROOT).with_suffix(""))
    full = [tag.get_text(" ") for tag in _soup(FULL / f"{file}.html").select(".solution")]
    assert full, f"{file}: the full book shows no solution (is the markup still .solution?)"
    solutions = _soup(INSTRUCTOR_HTML / f"{file}.html").select(".solution")
    assert len(solutions) == len(full) == len(instructor.solutions_of(path)), file
    shut = [s.get_text(" ")[:60] for s in solutions if _hidden(s)]
    assert not shut, f"{file}: solutions still collapsed: {shut}"
    for expected, shown in zip(full, solutions):
        assert _words(expected) in _words(shown.get_text(" ")), (file, expected[:80])


@needs_build
def test_answer_key_page_lists_every_registered_exercise():
    from lessons_lib.checks import EXERCISES

    soup = _soup(INSTRUCTOR_HTML / f"{instructor.ANSWER_KEY}.html")
    text = (soup.select_one("main") or soup).get_text(" ")
    for ex_id, reg in EXERCISES.items():
        assert ex_id in text, f"the answer key does not list {ex_id}"
        if reg.written:   # graded by a person: its rubric stands where a checker's code would
            flat = " ".join(text.replace("\u2019", "'").split())   # Sphinx's smart quotes
            assert all(" ".join(level.split()) in flat for level in reg.rubric), ex_id
        else:
            assert f"{reg.checker.__module__}.{reg.checker.__name__}" in text, ex_id
    # the solutions sit in a two-column table next to their self-checks, none collapsed
    tables = soup.select("main table") or soup.select("table")
    assert len(tables) >= len(EXERCISES)
    assert not [t for t in tables if _hidden(t)]
    # every solution as the full book renders it (its body, without the title)
    words = _words(text)
    for path in CHAPTERS:
        file = str(path.relative_to(ROOT).with_suffix(""))
        for solution in _soup(FULL / f"{file}.html").select(".solution"):
            title = solution.select_one(".admonition-title")
            body = _words(solution.get_text(" ").replace(title.get_text(" "), "", 1))
            assert body and body[:60] in words, (file, body[:60])


def test_chapter_map_separates_what_a_chapter_needs_from_what_helps():
    """The comparison chapter needs only the arithmetic chapter; its prerequisites name the
    model chapters (MobileNet by the short form of its title) as helpful, not required."""
    info = reader.chapter_info(ROOT / "book" / "comparison.ipynb")
    assert info.needs == ["book/conv_arithmetic"]
    assert {"book/inception_v3", "book/xception", "book/mobilenet_unet",
            "book/resnext"} <= set(info.helps)
    assert reader.chapter_info(ROOT / "book" / "xception.ipynb").needs == [
        "book/conv_arithmetic", "book/inception_v3"]


def test_every_exercise_names_an_objective_difficulty_points_and_minutes():
    """Issue 18: what an instructor plans and grades with, stored with each exercise."""
    from lessons_lib.checks import EXERCISES
    from lessons_lib.checks._core import DIFFICULTIES

    objectives = {reader.chapter_info(p).name: len(reader.chapter_info(p).objectives)
                  for p in reader.chapter_notebooks()}
    for ex in EXERCISES.values():
        assert 1 <= ex.objective <= objectives[ex.chapter], (ex.id, ex.objective)
        assert ex.difficulty in DIFFICULTIES and ex.points >= 1 and ex.minutes >= 1, ex.id
    by_difficulty = {d: {ex.points for ex in EXERCISES.values() if ex.difficulty == d}
                     for d in DIFFICULTIES}
    assert max(by_difficulty["basic"]) <= min(by_difficulty["challenge"])

