"""Self-checks of the InceptionV3 chapter: the numbers in the hidden solutions are
accepted, wrong answers get a hint, and the helpers agree with the built model."""

import pytest

from lessons_lib.checks import check
from lessons_lib.checks import inception_v3 as c
import solutions

# The answers as the chapter's hidden solutions state them.
SOLUTIONS = {
    "inception-v3-1": 0.190,
    "inception-v3-2": 1_298_944,
    "inception-v3-3": 75,
    "inception-v3-4": 11_108_352,
    "inception-v3-5": (3, 3, 2048),
}
WRONG = {
    "inception-v3-1": 19.0,                # a percentage, not a fraction
    "inception-v3-2": 1_298_944 + 1,
    "inception-v3-3": 74,
    "inception-v3-4": 11_114_880,         # counted the frozen BN beta too
    "inception-v3-5": (4, 4, 2048),
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


def test_the_rounded_answer_the_exercise_asks_for_is_accepted():
    """inception-v3-1 asks for 3 decimal places: 0.190 (4/21 rounded) passes, 0.191 does not."""
    import numpy as np

    assert check("inception-v3-1", 0.19).correct
    assert check("inception-v3-1", np.float64(4 / 21)).correct
    assert not check("inception-v3-1", 0.191).correct
    assert not check("inception-v3-1", 0.2).correct


def test_the_fraction_is_the_unequal_channels_one():
    """192 -> 160 -> 320 against a 7x7 from 192 to 320: 7*160*(192+320) / (49*192*320)."""
    assert c.factorized_fraction(*c.FACTORIZED_CHANNELS) == pytest.approx(4 / 21)
    assert c.factorized_fraction(192, 192, 192) == pytest.approx(2 / 7)
    result = check("inception-v3-1", 2 / 7)     # the equal-channels rule
    assert not result.correct and "2/k" in result.message and "Hint" in result.message


def test_wrong_types_are_explained():
    assert "tuple" in check("inception-v3-5", 3).message
    assert "whole number" in check("inception-v3-3", "75").message


def test_block_of_does_not_confuse_mixed1_and_mixed10():
    assert c.block_of("mixed1") == "mixed1"
    assert c.block_of("mixed10_1x1_conv") == "mixed10"
    assert c.block_of("mixed1_1x1_conv") == "mixed1"
    assert c.block_of("stem_conv1_conv") == "stem"
    assert c.block_of("predictions") == "head"


def test_helpers_agree_with_the_built_model():
    from lessons_lib.models import inception_v3

    model = inception_v3(include_top=False, input_shape=(150, 150, 3))
    assert tuple(model.output.shape[1:]) == (c.final_grid(150),) * 2 + (2048,)
    with pytest.raises(ValueError):
        inception_v3(include_top=False, input_shape=(c.smallest_input_side() - 1,) * 2 + (3,))
    blocks = {c.block_of(layer.name) for layer in model.layers} - {"head"}
    assert blocks == {"stem"} | {f"mixed{i}" for i in range(11)}
    assert sum(c.block_params(b) for b in blocks) == model.count_params()


def test_fine_tune_count_matches_the_chapters_phase_2():
    """The chapter's phase 2: mixed9 and mixed10 trainable, every BatchNormalization frozen."""
    import keras

    from lessons_lib.models import inception_v3

    base = inception_v3(include_top=False, input_shape=(75, 75, 3))
    for layer in base.layers:
        layer.trainable = c.block_of(layer.name) in ("mixed9", "mixed10")
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    trainable = sum(int(keras.ops.size(w)) for w in base.trainable_weights)
    assert trainable == c.fine_tune_trainable_params()
    assert c.fine_tune_trainable_params(freeze_batch_norm=False) == 11_114_880


# --- inception-v3-6: a preprocess function ---------------------------------------------------


def _preprocess(images):
    import numpy as np

    return np.asarray(images, dtype="float32") / 127.5 - 1.0


def test_preprocess_function_is_accepted_in_its_spellings():
    import keras

    from lessons_lib.models import preprocess_input

    assert check("inception-v3-6", _preprocess).correct
    assert check("inception-v3-6", lambda x: (x - 127.5) / 127.5).correct
    assert check("inception-v3-6", lambda x: preprocess_input(x, "inception_v3")).correct
    tensor = check("inception-v3-6", lambda x: keras.ops.convert_to_tensor(x, "float32") / 127.5 - 1)
    assert tensor.correct, tensor


def test_preprocess_that_divides_by_255_gets_a_hint_without_the_formula():
    result = check("inception-v3-6", lambda x: x / 255.0)
    assert not result.correct and "Hint" in result.message
    assert "127.5" not in result.message


def test_preprocess_with_the_wrong_shape_or_in_place_is_refused():
    import numpy as np

    flat = check("inception-v3-6", lambda x: (np.asarray(x, "float32") / 127.5 - 1).reshape(-1))
    assert not flat.correct and "shape" in flat.message and "Hint" in flat.message
    batched = check("inception-v3-6", lambda x: (np.asarray(x, "float32") / 127.5 - 1)[None])
    assert not batched.correct and "shape" in batched.message

    def in_place(x):
        x /= 127.5
        x -= 1
        return x

    result = check("inception-v3-6", in_place)
    assert not result.correct and "Hint" in result.message


def test_preprocess_wrong_types_are_explained():
    assert "function" in check("inception-v3-6", 0.5).message
    assert "function" in check("inception-v3-6", "x / 127.5 - 1").message
    assert "raised" in check("inception-v3-6", lambda x: x.nope()).message


# --- inception-v3-7: written -----------------------------------------------------------------


def test_the_written_exercise_is_recorded_for_a_person():
    from lessons_lib.checks import EXERCISES

    assert EXERCISES["inception-v3-7"].written and EXERCISES["inception-v3-7"].points == 3
    assert "no answer yet" in check("inception-v3-7", ...).message
    short = check("inception-v3-7", "the stem, then three grids")
    assert not short.correct and not short.recorded and "Not yet" in str(short)
    result = check("inception-v3-7", solutions.solution_answer("inception_v3", "inception-v3-7"))
    assert result.recorded and not result.correct, result
