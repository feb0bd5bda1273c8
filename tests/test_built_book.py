"""Checks of the built HTML (_build/html), run after `jupyter-book build` by scripts/test.sh.

Skipped when the book has not been built, unless REQUIRE_BUILT_BOOK=1 (set by
scripts/test.sh), in which case a missing build is a failure.
"""

import json
import os
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())

if not (HTML / "index.html").exists():
    if os.environ.get("REQUIRE_BUILT_BOOK") == "1":
        pytest.fail("REQUIRE_BUILT_BOOK=1 but _build/html/index.html does not exist",
                    pytrace=False)
    pytest.skip("the book is not built (run scripts/build_book.sh)", allow_module_level=True)


TOC = pathlib.Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))  # see tests/browser


def chapter_files():
    """The notebook chapters of the table of contents (not the Markdown pages)."""
    toc = yaml.safe_load(TOC.read_text())
    return [c["file"] for c in toc["chapters"] if (ROOT / f"{c['file']}.ipynb").exists()]


def page_files():
    toc = yaml.safe_load(TOC.read_text())
    return [toc["root"]] + [c["file"] for c in toc["chapters"]]


def page(name):
    return (HTML / f"{name}.html").read_text()


@pytest.mark.parametrize("chapter", chapter_files())
def test_every_chapter_page_exists_with_a_colab_button(chapter):
    """The button opens the chapter's Colab edition (`<path_to_book>/<chapter>.ipynb`), which
    exists in the repository."""
    html = page(chapter)
    repo = CONFIG["repository"]
    url = repo["url"].replace("https://github.com/", "")
    edition = f"{repo['path_to_book'].strip('/')}/{chapter}.ipynb"
    expected = f"colab.research.google.com/github/{url}/blob/{repo['branch']}/{edition}"
    assert expected in html, f"no Open-in-Colab link to {expected}"
    assert (ROOT / edition).exists(), f"the button opens {edition}, which does not exist"


def test_arithmetic_chapter_has_plotly_figures_with_a_slider_and_the_widget_state():
    html = page("book/conv_arithmetic")
    assert html.count("Plotly.newPlot") >= 3, "plotly figures are missing from the page"
    assert '"sliders"' in html, "the precomputed slider figure is missing"
    assert "_static/vendor/require.js" in html and "vendor/html-manager/embed-amd.js" in html
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
                      html, re.S)
    assert state, "the widget panel's saved state is not embedded"
    models = json.loads(state.group(1))["state"]
    values = [m["state"].get("value") for m in models.values()]
    assert any(isinstance(v, str) and "separable" in v for v in values), \
        "the panel's initial table is not in the embedded widget state"
    assert "application/vnd.jupyter.widget-view+json" in html
    assert "Not yet" in html  # the exercise self-checks ran


def test_solutions_are_hidden_by_default():
    html = page("book/conv_arithmetic")
    assert html.count('class="solution dropdown') >= 4 or html.count("dropdown") >= 4


@pytest.mark.parametrize("name", page_files() + ["search", "genindex"])
def test_pages_load_no_script_or_style_from_the_network(name):
    """Everything a page needs is served by the book (the browser test proves it works)."""
    html = page(name)
    remote = re.findall(r'<script[^>]+src="(https?:[^"]+)"', html)
    remote += [re.search(r'href="([^"]+)"', tag)[1] for tag in re.findall(r"<link[^>]+>", html)
               if 'rel="stylesheet"' in tag and re.search(r'href="https?:', tag)]
    remote += re.findall(r'<img[^>]+src="(https?:[^"]+)"', html)
    assert not remote, f"{name} loads from the network: {remote}"


def test_the_local_copies_of_plotly_requirejs_widgets_and_mathjax_are_in_the_book():
    vendor = HTML / "_static" / "vendor"
    for path in ["plotly.min.js", "require.js", "widgets-support.js",
                 "html-manager/embed-amd.js", "mathjax/tex-mml-chtml.js",
                 "mathjax/output/chtml/fonts/woff-v2"]:
        assert (vendor / path).exists(), path
    import plotly

    version = (vendor / "plotly.min.js").read_text()[:200]
    assert plotly.offline.get_plotlyjs_version() in version, "plotly.js is not the package's"


def test_instructor_guide_lists_every_chapter_and_exercise():
    if "book/instructor_guide" not in page_files():
        pytest.skip("the instructor guide is not in the table of contents")
    from lessons_lib.checks import EXERCISES

    html = page("book/instructor_guide")
    for chapter in chapter_files():
        name = chapter.split("/")[-1]
        assert f'href="{name}.html"' in html, f"the guide does not link {chapter}"
        assert f"book/exercises/{name}.ipynb" in html, f"no hand-out link for {chapter}"
        for ex in EXERCISES.values():
            if ex.chapter == name:
                assert ex.id in html, f"the guide does not list exercise {ex.id}"


#: What a reader of the offline-built book must never see: a resolver or download failure
#: (with LESSONS_OFFLINE=1 every download says what it would have fetched instead), and the
#: benchmark's pass/fail targets (they belong to `python -m lessons_lib.bench`, not the book).
NOT_FOR_READERS = {
    "a resolver error": re.compile(r"Name or service not known|Temporary failure in name "
                                   r"resolution|getaddrinfo|\[Errno -[23]\]|URLError|"
                                   r"Max retries exceeded"),
    "a download attempt": re.compile(r"Downloading data from"),
    "a benchmark target": re.compile(r"\bMISS\b|<=\s?1\.\d+\s+(?:ok|MISS)\b"),
}


@pytest.mark.parametrize("chapter", chapter_files())
def test_the_offline_book_shows_no_resolver_error_download_or_benchmark_target(chapter):
    text = re.sub(r"<[^>]+>", " ", page(chapter))
    found = [f"{what}: {' '.join(text[max(0, m.start() - 80):m.end() + 40].split())!r}"
             for what, pattern in NOT_FOR_READERS.items() for m in pattern.finditer(text)]
    assert not found, f"{chapter}.html shows:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("chapter", chapter_files())
def test_every_page_states_the_licences_of_the_code_and_the_text(chapter):
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "CC BY 4.0" in licence
    footer = page(chapter)
    assert "MIT License" in footer and "creativecommons.org/licenses/by/4.0/" in footer, chapter


EXECUTED = ROOT / "_build" / "jupyter_execute" / "book"


@pytest.mark.parametrize("chapter", chapter_files())
def test_no_exercise_is_answered_by_what_the_chapter_shows_above_it(chapter):
    """Every number, tuple and quoted word the executed chapter shows before an exercise (or
    states in another exercise) is tried on that exercise's self-check: none may pass
    (tests/giveaways.py says which candidates count)."""
    import giveaways

    path = EXECUTED / f"{pathlib.Path(chapter).name}.ipynb"
    assert path.exists(), f"the build executed no {path.name}"
    assert giveaways.giveaways(path) == []


#: One printed box ending and the next beginning, with nothing between them.
TWO_PRINTED_BOXES = re.compile(r'</pre></div>\s*</div>\s*<div class="output stream')


@pytest.mark.parametrize("chapter", chapter_files())
def test_what_a_cell_prints_shows_in_one_box(chapter):
    """nb_merge_streams (_config.yml): Keras's lines per epoch, or a table printed a row at a
    time, read as one block, not as a grey box per flush of the kernel's output."""
    html = page(chapter)
    found = [" ".join(re.sub(r"<[^>]+>", " ", html[m.start() - 200:m.start()]).split())[-80:]
             for m in TWO_PRINTED_BOXES.finditer(html)]
    assert not found, f"{chapter}.html: a printed box right after another, after:\n  " + \
        "\n  ".join(found)


@pytest.mark.parametrize("chapter", chapter_files())
def test_a_cell_that_prints_on_both_sides_of_a_figure_keeps_its_order(chapter):
    """Merging puts all of a cell's printed text in its first box, above any figure between;
    a cell whose executed outputs are text, figure, text opts out in its metadata."""
    executed = json.loads((EXECUTED / f"{pathlib.Path(chapter).name}.ipynb").read_text())
    source = json.loads((ROOT / f"{chapter}.ipynb").read_text())
    wrong = []
    for index, (ran, cell) in enumerate(zip(executed["cells"], source["cells"])):
        if cell["cell_type"] != "code":
            continue
        kinds = ["stdout" if o["output_type"] == "stream" and o["name"] == "stdout" else "other"
                 for o in ran["outputs"]]
        stdout = [i for i, kind in enumerate(kinds) if kind == "stdout"]
        between = stdout and "other" in kinds[stdout[0]:stdout[-1]]
        if between and cell["metadata"].get("mystnb", {}).get("merge_streams") is not False:
            wrong.append(f"cell {index} ({cell['id']}): outputs {kinds}")
    assert len(executed["cells"]) == len(source["cells"])
    assert not wrong, (f"{chapter}: set \"mystnb\": {{\"merge_streams\": false}} in the "
                       "metadata of\n  " + "\n  ".join(wrong))


@pytest.mark.parametrize("chapter", chapter_files())
def test_the_executed_notebook_keeps_each_printed_text_once(chapter):
    """scripts/merged_streams.py: the merge for the page leaves the executed notebook (read by
    the editions and the target tests) as the kernel sent it, with no stdout text repeated in
    the cell's first stream output."""
    executed = json.loads((EXECUTED / f"{pathlib.Path(chapter).name}.ipynb").read_text())
    repeated = []
    for index, cell in enumerate(executed["cells"]):
        texts = ["".join(o["text"]) for o in cell.get("outputs", [])
                 if o["output_type"] == "stream" and o["name"] == "stdout"]
        later = [t.strip() for t in texts[1:] if t.strip()]
        if later and later[0] in texts[0]:
            repeated.append(f"cell {index}: {later[0][:60]!r} is also in its first output")
    assert not repeated, f"{chapter}:\n  " + "\n  ".join(repeated)
