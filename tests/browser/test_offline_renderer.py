"""The plotly renderer the chapters use (lessons_lib.chapter): what the browser gets.

No browser needed: these check the HTML that `book_html` writes. tests/browser/test_pages.py
checks that it renders, online and offline.
"""

import re
import sys
import types

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from lessons_lib import chapter


@pytest.fixture
def restore_renderer():
    before = pio.renderers.default
    yield
    pio.renderers.default = before


def test_book_renderer_off_colab(monkeypatch, restore_renderer):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert chapter.use_book_plotly_renderer() == "plotly_mimetype+book_html"
    assert pio.renderers.default == chapter.BOOK_PLOTLY_RENDERER


def test_colab_keeps_its_renderer(monkeypatch, restore_renderer):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert chapter.use_book_plotly_renderer() == "colab"


def bundle(fig):
    chapter.register_book_plotly_renderer()
    return pio.renderers["book_html"].to_mimebundle(fig.to_dict())["text/html"]


def test_html_uses_the_pages_plotly_and_links_no_cdn_unless_plotly_is_missing():
    html = bundle(go.Figure(go.Bar(x=[1, 2], y=[3, 4]), layout={"title": "Costs <b>now</b>"}))
    assert "<script src" not in html and "import " not in html   # nothing loaded up front
    assert "mathjax" not in html.lower()
    # the CDN appears only in the branch for pages that have no plotly.js of their own
    head, _, fallback = html.partition("if (window.Plotly) { draw(); return; }")
    assert "cdn.plot.ly" not in head and "cdn.plot.ly" in fallback
    assert "Plotly.newPlot" in head
    assert re.search(r'class="plotly-graph-div" role="figure" aria-label="Interactive chart: '
                     r'Costs now"', html)


def test_figure_description_falls_back_to_axis_titles():
    fig = go.Figure(go.Scatter(x=[1], y=[2]),
                    layout={"xaxis": {"title": {"text": "channels"}},
                            "yaxis": {"title": {"text": "MACs"}}})
    assert chapter.figure_description(fig.to_dict()) == "Interactive chart of MACs against channels"
    assert chapter.figure_description(go.Figure().to_dict()) == "Interactive chart"
    html = bundle(go.Figure(layout={"title": 'a "quoted" & <i>odd</i> title'}))
    assert 'aria-label="Interactive chart: a &quot;quoted&quot; &amp; odd title"' in html
