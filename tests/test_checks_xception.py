"""Self-checks of the Xception chapter: the numbers in the hidden solutions are
accepted, wrong answers get a hint, and the helpers agree with the built model."""

import pytest

from lessons_lib import arithmetic as ar
from lessons_lib.checks import check
from lessons_lib.checks import xception as x

# The answers as the chapter's hidden solutions state them.
SOLUTIONS = {
    "xception-1": 1_618_344,
    "xception-2": 0.56,             # to 2 decimal places, as the exercise asks
    "xception-3": 8.9,              # to 1 decimal place
    "xception-4": (3, 3, 2048),
    "xception-5": 34,
}
WRONG = {
    "xception-1": 1_609_608,        # forgot the BatchNormalization layers
    "xception-2": 55.6,             # a percentage
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


def test_rounded_answers_at_the_stated_precision():
    import numpy as np

    assert check("xception-2", np.float64(0.556)).correct and check("xception-2", 0.56).correct
    assert not check("xception-2", 0.55).correct and not check("xception-2", 0.6).correct
    assert check("xception-3", 8.9).correct and check("xception-3", np.float32(8.89)).correct
    assert not check("xception-3", 8.8).correct and not check("xception-3", 9).correct
