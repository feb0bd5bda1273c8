"""The give-away finder itself (tests/giveaways.py): it finds an answer a chapter prints, and
ignores what identifies nothing. The test over the built book is in test_built_book.py."""

import nbformat

import giveaways


def test_candidates_are_identifying_numbers_tuples_and_quoted_words():
    text = ("total 115,296 params; share 56.2%; ratio 0.408 and 1.46x; 64 filters, 64.0%; "
            "output (14, 14, 32); padding='same'")
    found = giveaways.candidates(text)
    assert {115_296, 0.562, 0.408, 1.46, 0.64, (14, 14, 32), "same"} <= found
    assert 64 not in found and 64.0 not in found   # small whole numbers identify nothing


def _chapter(tmp_path, printed: str, tags=()):
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell("print(...)", metadata={"tags": list(tags)})
    shown.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    nb.cells = [shown, nbformat.v4.new_markdown_cell(
        "```{exercise}\n:label: conv-arith-1\nHow many parameters?\n```")]
    path = tmp_path / "conv_arithmetic.ipynb"
    nbformat.write(nb, path)
    return path


def test_an_answer_printed_above_its_exercise_is_found(tmp_path):
    """conv-arith-1's answer (115,296) printed in an output above it fails; another number
    does not."""
    assert giveaways.giveaways(_chapter(tmp_path, "Conv2D(96, 5) on 48 channels: 115,296 "
                                                  "parameters"))
    assert giveaways.giveaways(_chapter(tmp_path, "Conv2D(128, 3): 73,856 parameters")) == []


def test_a_measured_cell_is_left_out(tmp_path):
    """A timing that happens to print the answer is chance: cells tagged `measured` do not
    count (and an untagged cell with the same output does)."""
    printed = "dense 1.98 GMAC/s, depthwise 115,296 images/s"
    assert giveaways.giveaways(_chapter(tmp_path, printed, tags=["measured"])) == []
    assert giveaways.giveaways(_chapter(tmp_path, printed))
