"""The book's plotly renderer on plotly 5 and 6 (lessons_lib.chapter.split_figure_script).

plotly 6 writes a figure's script as ``<script>``, plotly 5 (Colab ships 5.24.1) as
``<script type="text/javascript">``. Both forms are tested here with literal HTML, and the
installed plotly for real (scripts/colab_path_test.sh runs this file with plotly 5.24.1,
scripts/test.sh with the pinned plotly 6+).
"""

import re

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from lessons_lib import chapter

PLOTLY6 = ('<div style="height:525px; width:100%;"><div id="f" class="plotly-graph-div"></div>'
           '<script>window.PLOTLYENV={};Plotly.newPlot("f", [], {})</script></div>')
PLOTLY5 = ('<div><div id="f" class="plotly-graph-div" style="height:525px;"></div>'
           '<script type="text/javascript">window.PLOTLYENV={};Plotly.newPlot("f", [], {})'
           '</script></div>')


@pytest.mark.parametrize("html, opening", [(PLOTLY6, "<script>"),
                                           (PLOTLY5, '<script type="text/javascript">')],
                         ids=["plotly6", "plotly5"])
def test_split_finds_the_script_of_either_plotly_version(html, opening):
    before, body, after = chapter.split_figure_script(html)
    assert body == 'window.PLOTLYENV={};Plotly.newPlot("f", [], {})'
    assert before.endswith('class="plotly-graph-div"></div>') or before.endswith('525px;"></div>')
    assert after == "</div>"
    assert before + opening + body + "</script>" + after == html


@pytest.mark.parametrize("html", ["<div>no script</div>", "<div></script><script></div>",
                                  "<div><scripts>x</scripts></div>"])
def test_split_rejects_html_without_a_script_element(html):
    with pytest.raises(ValueError, match="html must hold a <script"):
        chapter.split_figure_script(html)


def test_installed_plotly_figure_becomes_one_loader_script():
    chapter.register_book_plotly_renderer()
    fig = go.Figure(go.Bar(x=[1, 2], y=[3, 4]), layout={"title": "Costs"})
    html = pio.renderers["book_html"].to_mimebundle(fig.to_dict())["text/html"]
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ["<script>"], (plotly.__version__, scripts)   # plotly's own tag is gone
    assert html.count("</script>") == 1
    assert re.search(r"function draw\(\) \{\s*window\.PLOTLYENV.*Plotly\.newPlot", html, re.S)
    assert 'role="figure" aria-label="Interactive chart: Costs"' in html
