"""lessons_lib.chapter.glue: computed values handed to the prose (MyST-NB's glue format)."""

import sys
import types

import numpy as np
import pytest

from lessons_lib.chapter import GLUE_MIME_PREFIX, glue, shown_value


@pytest.fixture
def shown(monkeypatch):
    """What glue displays: (bundle, metadata) pairs."""
    calls = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, raw=False, metadata=None: calls.append((obj, metadata)))
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    return calls


def test_a_number_is_recorded_as_myst_nb_records_a_hidden_glue(shown):
    assert glue("sep_share", np.float64(0.0439)) == 0.0439
    (bundle, metadata), = shown
    assert metadata == {"scrapbook": {"name": "sep_share", "mime_prefix": GLUE_MIME_PREFIX}}
    # a plain repr, so {glue:text}`sep_share:.1%` can format it (not "np.float64(0.0439)")
    assert bundle == {GLUE_MIME_PREFIX + "text/plain": "0.0439"}


@pytest.mark.parametrize("value, plain", [(np.int64(23851784), "23851784"), (3, "3"),
                                          (np.float32(0.5), "0.5"), (2.25, "2.25")])
def test_numpy_and_python_numbers_become_plain_numbers(shown, value, plain):
    glue("n", value)
    assert shown[0][0] == {GLUE_MIME_PREFIX + "text/plain": plain}


def test_a_sentence_is_glued_as_text_and_markdown(shown):
    glue("verdict", "on this machine the **grouped** layer wins")
    bundle = shown[0][0]
    assert bundle[GLUE_MIME_PREFIX + "text/markdown"] == "on this machine the **grouped** layer wins"
    assert bundle[GLUE_MIME_PREFIX + "text/plain"] == "'on this machine the **grouped** layer wins'"


@pytest.mark.parametrize("value", [True, np.array([1.0, 2.0]), None, [1, 2]])
def test_other_values_are_refused_with_the_name(shown, value):
    with pytest.raises(TypeError, match="`x`"):
        glue("x", value)
    assert shown == []


@pytest.mark.parametrize("name", ["", "1st", "a-b", "a b", 3])
def test_bad_names_are_refused(shown, name):
    with pytest.raises(ValueError, match="`name`"):
        glue(name, 1.0)


def test_on_colab_the_value_is_also_printed_for_the_reader(shown, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    glue("params", 23851784)
    glue("ratio", 1.4628)
    assert capsys.readouterr().out == "params = 23,851,784\nratio = 1.463\n"
    assert len(shown) == 2


def test_shown_value():
    assert shown_value(0.043912) == "0.04391"
    assert shown_value("a sentence") == "a sentence"
