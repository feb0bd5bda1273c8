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


def chapter_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [c["file"] for c in toc["chapters"]]


def page(name):
    return (HTML / f"{name}.html").read_text()


@pytest.mark.parametrize("chapter", chapter_files())
def test_every_chapter_page_exists_with_a_colab_button(chapter):
    html = page(chapter)
    url = CONFIG["repository"]["url"].replace("https://github.com/", "")
    expected = f"colab.research.google.com/github/{url}/blob/main/{chapter}.ipynb"
    assert expected in html, f"no Open-in-Colab link to {expected}"


def test_arithmetic_chapter_has_plotly_figures_with_a_slider_and_the_widget_state():
    html = page("book/conv_arithmetic")
    assert html.count("Plotly.newPlot") >= 3, "plotly figures are missing from the page"
    assert '"sliders"' in html, "the precomputed slider figure is missing"
    assert "require.min.js" in html
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
