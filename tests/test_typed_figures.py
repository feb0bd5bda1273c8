"""No typed figures in a chapter's prose: a number a cell computes reaches the text by glue.

The rule (README, *Writing a chapter*): in the Markdown cells of every chapter in ``book/``,
outside code (fenced or inline) and link targets, every **figure**, that is

* a decimal number (``2.36``, ``0.509``),
* a percentage (``95%``),
* a ratio of two numbers (``2/3``),
* a multiplier (``2.4x``, ``10×``, ``1.5 times``), or
* a number with thousands separators (``19,456``),

must be

1. glued from a cell (``{glue:text}`name:.1f```), so it is what the reader's run computed; or
2. a paper's figure in a sentence that names where the paper prints it (``Table 2``,
   ``Figure 7``/``Fig. 7``, ``Section 3.1`` or ``§4.5``); or
3. matched by an entry of :data:`ALLOWED`, each with its reason (a version number, an arXiv
   identifier, a model's name).

Inside math (``$...$``) only decimals and percentages count: the other forms there are formulas.
"""

from __future__ import annotations

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))

FIGURE = re.compile(r"""
    (?<![\w.,/-])(?:
        \d+(?:\.\d+)?\s?%                              # a percentage
      | \d+(?:\.\d+)?(?:[x×](?![\w\d])|\s?times\b)    # a multiplier: 2.4x, 10×, 1.5 times
      | \d[\d,]*\.\d+                                   # a decimal
      | \d+/\d+(?![\w/])                                # a ratio
      | \d{1,3}(?:,\d{3})+(?![\d])                     # thousands separators
    )""", re.X)
MATH_FIGURE = re.compile(r"(?<![\w.])(?:\d+(?:\.\d+)?\s?\\?%|\d+\.\d+)")
CITATION = re.compile(r"\b(?:Tables?|Figures?|Figs?\.|Sections?|Eq\.)\s?\(?\d|§\s?\d")

#: (pattern, reason): a figure whose sentence matches the pattern around it is allowed.
ALLOWED: list[tuple[str, str]] = [
    (r"arXiv:\d{4}\.\d{4,5}", "an arXiv identifier"),
    (r"\b(?:Python|Keras|TensorFlow|TF|JAX|NumPy|PyTorch|torch|ipywidgets|plotly|pandas|"
     r"jupyter-book|Jupyter Book)\s\d+\.\d+", "a version number"),
    (r"\b[01]\.\d{1,2}-(?:128|160|192|224)\b", "a MobileNet's name: width multiplier-resolution"),
    (r"\b\d+\s?x\s?\d+\s?d\b", "a ResNeXt template's name (32x4d)"),
    (r"(?:momentum|α|alpha|learning rate|dropout|rate)(?: of| to)?\s?=?\s?\d+(?:\.\d+)?",
     "a setting the chapter chooses (an input, not a result)"),
]


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match[0])


def _math_figures(match: re.Match) -> str:
    """A math span as its decimals and percentages, each after the words before it
    (``$\\alpha = 0.25$`` becomes ``alpha = 0.25``, so a setting can be allowed)."""
    math = match[0]
    parts = []
    for m in MATH_FIGURE.finditer(math):
        words = re.sub(r"[^A-Za-z=\s]", " ", math[max(0, m.start() - 16):m.start()])
        parts.append(" ".join(words.split()) + " " + m[0].replace("\\", ""))
    return " " + " ".join(parts) + " "


def prose_of(markdown: str) -> str:
    """The Markdown with code, link targets and glue roles blanked out, and each math span
    reduced to the decimals and percentages it holds."""
    text = re.sub(r"^(\s*)(`{3,}|~{3,}).*?^\1\2\s*$", _blank, markdown, flags=re.S | re.M)
    text = re.sub(r"\{glue(?::\w*)?\}`[^`]*`", " glued ", text)
    text = re.sub(r"`[^`\n]*`", _blank, text)
    text = re.sub(r"\]\([^)\s]*\)", _blank, text)
    text = re.sub(r"<https?://[^>]*>|https?://\S+", _blank, text)
    return re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", _math_figures, text, flags=re.S)


_ABBREVIATIONS = re.compile(r"\b(?:Fig|Figs|et al|e\.g|i\.e|vs|Eq|cf|No)\.\s")
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-Z*(\[])|\n\s*\n|\n\s*(?:[*-]|\d+\.)\s")


def sentences(text: str) -> list[str]:
    """``text`` split into sentences and list items (abbreviations such as ``Fig.`` kept)."""
    protected = _ABBREVIATIONS.sub(lambda m: m[0].replace(".", "\0"), text)
    return [s.replace("\0", ".") for s in _SENTENCE_END.split(protected) if s.strip()]


def typed_figures(markdown: str) -> list[tuple[str, str]]:
    """The figures of ``markdown`` that break the rule, as ``(figure, sentence)`` pairs."""
    found = []
    for sentence in sentences(prose_of(markdown)):
        if CITATION.search(sentence):
            continue
        masked = sentence
        for allowed, _reason in ALLOWED:
            masked = re.sub(allowed, _blank, masked)
        figures = [m[0] for m in FIGURE.finditer(masked)]
        found += [(figure, " ".join(sentence.split())) for figure in figures]
    return found


def chapter_markdown(path: pathlib.Path) -> list[tuple[int, str]]:
    cells = json.loads(path.read_text())["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_typed_figures_in_the_prose(path):
    problems = [f"cell {i}: {figure!r} in: {sentence[:160]}"
                for i, markdown in chapter_markdown(path)
                for figure, sentence in typed_figures(markdown)]
    assert not problems, (
        f"{path.name}: figures typed into the prose (glue them from the cell that computes "
        "them, cite the paper's table/figure/section in the same sentence, or add an entry "
        "with its reason to ALLOWED in tests/test_typed_figures.py):\n  " + "\n  ".join(problems))


# --------------------------------------------------------------------------- the rule itself
@pytest.mark.parametrize("typed", [
    "The MobileNet paper reports that its 1x1 convolutions hold about 95% of the computation.",
    "A 1x3 + 3x1 pair costs 2/3 of a 3x3.",
    "ResNeXt-50 runs at 1.253 times the latency of ResNet-50.",
    "On this machine `GroupedConv2D` is 2.4x faster than the split paths.",
    "It needs about 1.5 times the multiply-accumulates.",
    "The model has 23,851,784 parameters.",
    "The head reaches 0.312 on the validation set.",
    "Depthwise and pointwise cost $0.0439$ of the standard layer.",
    "The 1x1 layers hold 74.59% of the parameters (Keras counts them).",
])
def test_rule_catches_typed_figures(typed):
    assert typed_figures(typed), typed


@pytest.mark.parametrize("fine", [
    "The separable layer costs {glue:text}`sep_share:.1%` of the standard one.",
    "{glue:md}`latency_verdict`",
    "The paper's Table 2 gives 94.86% of the mult-adds to the 1x1 layers.",
    "Fig. 7 of the paper runs them side by side (a 1/3 saving).",
    "In Section 3.1 two 3x3 replace a 5x5: a 28% gain.",
    "Call `Conv2D(128, 1, strides=2)` on a `(None, 3.5)` tensor.",
    "Run `keras.layers.Dense(0.5)` in [this page](https://example.org/1.5x?a=2.5%).",
    "A $3 \\times 3$ kernel costs $1/N + 1/D_K^2$ of the standard one.",
    "Keras 3.15 on Python 3.13, MobileNet 0.5-160 and ResNeXt-50 (32x4d), arXiv:1704.04861.",
    "A 3x3 kernel, a 1x7 then a 7x1, 35x35 grids and 2 branches; a 1 x k then k x 1 pair.",
    "Quick mode sets their momentum to 0.9 and a width $\\alpha = 0.25$.",
])
def test_rule_lets_glued_cited_and_allowed_figures_pass(fine):
    assert typed_figures(fine) == [], fine
