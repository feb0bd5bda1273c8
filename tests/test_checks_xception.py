"""Self-checks of the Xception chapter: the numbers in the hidden solutions are
accepted, wrong answers get a hint, and the helpers agree with the built model."""

import pathlib

import pytest

from lessons_lib import arithmetic as ar
from lessons_lib.checks import check
from lessons_lib.checks import xception as x
import solutions

# The answers as the chapter's hidden solutions state them.
SOLUTIONS = {
    "xception-1": 806_400,          # a middle-flow block 512 channels wide
    "xception-2": 0.541,            # at 150x150, to 3 decimal places, as the exercise asks
    "xception-3": 8.89,             # to 2 decimal places
    "xception-4": (3, 3, 2048),
    "xception-5": 34,
}
WRONG = {
    "xception-1": 799_488,          # forgot the BatchNormalization layers
    "xception-2": 0.556,            # the share at 299x299, printed by the chapter
    "xception-3": 9.0,              # 1/k^2 only
    "xception-4": (2, 2, 2048),     # floor instead of ceil
    "xception-5": 36,               # the paper's 36 conv layers include two plain convs
}


@pytest.mark.parametrize("ex_id", sorted(SOLUTIONS))
def test_solution_values_are_accepted(ex_id):
    result = check(ex_id, SOLUTIONS[ex_id])
    assert result.correct, result


@pytest.mark.parametrize("ex_id", sorted(WRONG))
def test_wrong_answers_get_a_hint(ex_id):
    result = check(ex_id, WRONG[ex_id])
    assert not result.correct and "Hint" in result.message


@pytest.mark.parametrize("ex_id", sorted(SOLUTIONS))
def test_placeholder_is_not_an_error(ex_id):
    assert "no answer yet" in check(ex_id, ...).message


def test_flow_of():
    assert x.flow_of("block1_conv1") == "entry"
    assert x.flow_of("block4_residual_conv") == "entry"
    assert x.flow_of("block12_sepconv3_bn") == "middle"
    assert x.flow_of("block13_add") == "exit"
    assert x.flow_of("predictions") == "head"


def test_helpers_agree_with_the_built_model():
    from lessons_lib.models import xception

    model = xception(include_top=False, input_shape=(96, 96, 3))
    assert tuple(model.output.shape[1:]) == (3, 3, 2048)
    block = ar.separable_conv(19, 19, 728, 728, 3, use_bias=False).params * 3 + 3 * 4 * 728
    assert x.middle_block_params() == block
    narrow = ar.separable_conv(19, 19, 512, 512, 3, use_bias=False).params * 3 + 3 * 4 * 512
    assert x.narrow_middle_block_params() == narrow
    assert x.narrow_middle_block_params(728) == block


def test_flow_shares_add_up_and_the_middle_share_moves_with_the_input():
    shares = [x.flow_mac_share(f, x.SMALL_SIDE) for f in ("entry", "middle", "exit", "head")]
    assert sum(shares) == pytest.approx(1.0)
    assert x.middle_flow_mac_share() == pytest.approx(0.556, abs=5e-4)
    assert round(x.flow_mac_share("middle", x.SMALL_SIDE), 3) != round(x.middle_flow_mac_share(), 3)


def test_percentages_are_explained():
    result = check("xception-2", 54.1)
    assert not result.correct and "percentage" in result.message


def test_rounded_answers_at_the_stated_precision():
    import numpy as np

    assert check("xception-2", np.float64(0.5414)).correct and check("xception-2", 0.541).correct
    assert check("xception-2", np.float32(0.5414)).correct
    assert not check("xception-2", 0.54).correct and not check("xception-2", 0.542).correct
    assert check("xception-3", 8.89).correct and check("xception-3", np.float32(8.889)).correct
    assert not check("xception-3", 8.9).correct and not check("xception-3", 9).correct


WRITTEN = ("xception-6", "xception-7")
BOOK = pathlib.Path(__file__).resolve().parents[1] / "book" / "xception.ipynb"


def model_answer(ex_id):
    """The answer the chapter's solution of ``ex_id`` assigns."""
    return solutions.solution_answer("xception", ex_id)


@pytest.mark.parametrize("ex_id", WRITTEN)
def test_written_exercises(ex_id):
    from lessons_lib.checks import EXERCISES

    ex = EXERCISES[ex_id]
    assert ex.written and ex.points == 3 and ex.chapter == "xception"
    assert "no answer yet" in check(ex_id, ...).message
    short = check(ex_id, "the residual one trains faster")
    assert str(short).startswith("[Not yet]") and not short.recorded
    done = check(ex_id, model_answer(ex_id))
    assert done.recorded and not done.correct, done


def test_objectives_of_the_new_exercises():
    from lessons_lib.checks import EXERCISES

    assert (EXERCISES["xception-6"].objective, EXERCISES["xception-7"].objective) == (4, 5)
