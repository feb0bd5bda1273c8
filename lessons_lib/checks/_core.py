"""The machinery of the self-checks: results, the exercise registry and answer matchers.

Chapter modules (``lessons_lib/checks/<chapter>.py``) register their exercises
with :func:`register`; :func:`lessons_lib.checks.check` looks them up.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from dataclasses import dataclass
from typing import Callable, Dict

import numpy as np

from lessons_lib.validation import check_int


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer."""

    exercise: str
    correct: bool
    message: str
    #: True for a written answer long enough to be read: a person grades it, not the check
    #: (``correct`` stays False, since no code judged it).
    recorded: bool = False

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        mark = "Right" if self.correct else "Recorded" if self.recorded else "Not yet"
        return f"[{mark}] {self.exercise}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.correct else "#0b5cad" if self.recorded else "#b35900"
        mark = ("&#10004; Right" if self.correct else "&#9998; Recorded" if self.recorded
                else "&#10008; Not yet")
        return (f'<p style="color:{colour}"><strong>{mark}</strong> '
                f"({self.exercise}): {self.message}</p>")


#: How hard an exercise is: apply one formula; combine several steps; build or debug a model.
DIFFICULTIES = ("basic", "intermediate", "challenge")


@dataclass(frozen=True)
class Exercise:
    """One exercise: its ID, the chapter that asks it, a title, its checker, and what an
    instructor plans and grades with: the chapter's learning objective it tests (its number in
    the chapter's *Learning objectives* list, from 1), a difficulty (one of
    :data:`DIFFICULTIES`), the points it is worth and the minutes a learner needs for it.

    A *written* exercise (measure, explain or design, answered in prose) has a ``rubric``: the
    levels a grader gives, best first, each ``"<points>: <what earns them>"``. Its check only
    says whether there is enough text to read; a person grades it (a manually graded cell in
    the graded releases)."""

    id: str
    chapter: str
    title: str
    checker: Callable[[object], CheckResult]
    objective: int
    difficulty: str
    points: int
    minutes: int
    rubric: tuple = ()

    @property
    def written(self) -> bool:
        """True when a person grades the answer against :attr:`rubric`."""
        return bool(self.rubric)


EXERCISES: Dict[str, Exercise] = {}


def register(ex_id: str, chapter: str, title: str, *, objective: int, difficulty: str,
             points: int, minutes: int):
    """Decorator: register ``fn(answer) -> CheckResult`` as the checker of ``ex_id``.

    Raises:
        ValueError: ``ex_id`` is registered twice, ``difficulty`` is not one of
            :data:`DIFFICULTIES`, or ``objective``, ``points`` or ``minutes`` is below 1.
    """
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty={difficulty!r} for {ex_id!r}; allowed: {DIFFICULTIES}")
    for name, value in (("objective", objective), ("points", points), ("minutes", minutes)):
        check_int(name, value, 1)

    def wrap(fn):
        if ex_id in EXERCISES:
            raise ValueError(f"exercise id {ex_id!r} is registered twice")
        EXERCISES[ex_id] = Exercise(ex_id, chapter, title, fn, objective, difficulty, points,
                                    minutes)
        return fn
    return wrap


def register_written(ex_id: str, chapter: str, title: str, *, objective: int, difficulty: str,
                     points: int, minutes: int, rubric: tuple, min_words: int = 40) -> None:
    """Register a written exercise (measure, explain or design, answered as a string).

    ``rubric`` lists the grading levels, best first, as ``"<points>: <description>"``; the first
    level's points must equal ``points`` and the last must be ``0``. The check returns
    ``recorded=True`` once the answer has ``min_words`` words.

    Raises:
        ValueError: the rubric has fewer than 2 levels, a level is not ``"<points>: ..."``, or
            its points do not run from ``points`` down to 0; and as :func:`register`.
    """
    levels = [re.match(r"^(\d+): \S", level) if isinstance(level, str) else None
              for level in rubric]
    if len(rubric) < 2 or not all(levels):
        raise ValueError(f"rubric={rubric!r} for {ex_id!r}: give 2 or more levels, each "
                         "'<points>: <what earns them>'")
    marks = [int(m[1]) for m in levels]
    if marks[0] != points or marks[-1] != 0 or marks != sorted(marks, reverse=True):
        raise ValueError(f"rubric={rubric!r} for {ex_id!r}: its points {marks} must run "
                         f"down from points={points} to 0")
    check_int("min_words", min_words, 1)

    def checker(answer) -> CheckResult:
        return expect_written(ex_id, answer, min_words, points)
    checker.__name__ = "_written_" + re.sub(r"\W", "_", ex_id)
    register(ex_id, chapter, title, objective=objective, difficulty=difficulty, points=points,
             minutes=minutes)(checker)
    EXERCISES[ex_id] = dataclasses.replace(EXERCISES[ex_id], rubric=tuple(rubric))


def expect_written(ex_id: str, answer, min_words: int, points: int = 0) -> CheckResult:
    """The self-check of a written answer: a string of at least ``min_words`` words is
    recorded for a person to grade; no code judges what it says. (The rubric is for graders:
    the instructor guide and the graded releases' solutions hold it.)"""
    if unanswered(answer) or (isinstance(answer, str) and not answer.strip()):
        worth = f" ({points} points)" if points else ""
        return CheckResult(ex_id, False, "no answer yet: replace `...` with your answer as text "
                           '(answer = """...""") and run the cell again. A person grades it'
                           f"{worth}: your reasons count more than your wording.")
    if not isinstance(answer, str):
        return CheckResult(ex_id, False, f"expected your answer as text (a string in triple "
                           f'quotes, """..."""), got {type(answer).__name__}.')
    words = len(answer.split())
    if words < min_words:
        return CheckResult(ex_id, False, f"{words} words so far: the question asks for a "
                           f"paragraph (at least {min_words} words) that gives your reasons.")
    return CheckResult(ex_id, False, f"{words} words recorded. A written answer is graded by a "
                       "person against the rubric in the exercise; when you are done, compare "
                       "yours with the solution.", recorded=True)


def unanswered(answer) -> bool:
    return answer is None or answer is Ellipsis


def not_answered(ex_id: str) -> CheckResult:
    return CheckResult(ex_id, False, "no answer yet: replace `...` with your answer and run the cell again.")


def _plain_number(answer):
    """``answer`` as a Python number when it is a NumPy scalar or a 0-d array, else unchanged."""
    if hasattr(answer, "item") and getattr(answer, "shape", None) == ():
        return answer.item()
    return answer


def expect_int(ex_id: str, answer, expected: int, hint: str) -> CheckResult:
    """Right if ``answer`` is the whole number ``expected`` (an int, a NumPy integer, or a
    float with no fractional part)."""
    if unanswered(answer):
        return not_answered(ex_id)
    answer = _plain_number(answer)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return CheckResult(ex_id, False, f"expected a whole number (int), got {answer!r}.")
    if not isinstance(answer, numbers.Integral):
        if not float(answer).is_integer():
            return CheckResult(ex_id, False, f"expected a whole number (int), got {answer!r}.")
    answer = int(answer)
    if answer == expected:
        return CheckResult(ex_id, True, f"{answer:,} is correct.")
    return CheckResult(ex_id, False, f"{answer:,} is not it. Hint: {hint}")


def expect_tuple(ex_id: str, answer, expected: tuple, hint: str,
                 what: str | None = None) -> CheckResult:
    """Right if ``answer`` (a tuple, list or 1-D array) equals ``expected`` element by element.

    ``what`` describes the tuple in the "wrong type" message, e.g. ``"(rows, cols, channels)"``;
    by default it says how many whole numbers are expected.
    """
    if unanswered(answer):
        return not_answered(ex_id)
    if hasattr(answer, "tolist") and not isinstance(answer, (tuple, list)):
        answer = answer.tolist()
    if not isinstance(answer, (tuple, list)) or len(answer) != len(expected):
        shape = what or f"of {len(expected)} whole numbers"
        return CheckResult(ex_id, False, f"expected a tuple {shape}, got {answer!r}.")
    answer = tuple(_plain_number(a) for a in answer)
    if answer == tuple(expected):
        return CheckResult(ex_id, True, f"{answer} is correct.")
    return CheckResult(ex_id, False, f"{answer} is not it. Hint: {hint}")


def precision_text(decimals: int | None = None, sig_figs: int | None = None) -> str:
    """How an exercise states its precision: "to 2 decimal places", "to 3 significant figures"."""
    if decimals is not None:
        return f"to {decimals} decimal place{'s' if decimals != 1 else ''}"
    return f"to {sig_figs} significant figure{'s' if sig_figs != 1 else ''}"


def float_tolerance(expected: float, decimals: int | None = None,
                    sig_figs: int | None = None) -> float:
    """Half a unit in the last place asked for: the largest error a correctly rounded answer
    can have. ``decimals=2`` gives 0.005; ``sig_figs=3`` for 0.2857 gives 0.0005.

    Raises:
        ValueError: not exactly one of ``decimals`` (>= 0) and ``sig_figs`` (>= 1) is given,
            or it is out of range; TypeError: it is not an integer.
    """
    if (decimals is None) == (sig_figs is None):
        raise ValueError("give exactly one of `decimals` and `sig_figs`; received "
                         f"decimals={decimals!r}, sig_figs={sig_figs!r}.")
    if decimals is not None:
        return 0.5 * 10.0 ** -check_int("decimals", decimals, 0)
    sig_figs = check_int("sig_figs", sig_figs, 1)
    exponent = math.floor(math.log10(abs(expected))) if expected else 0
    return 0.5 * 10.0 ** (exponent - sig_figs + 1)


def expect_float(ex_id: str, answer, expected: float, hint: str, *,
                 decimals: int | None = None, sig_figs: int | None = None) -> CheckResult:
    """Right if ``answer`` (any real number, NumPy scalars included) rounds to ``expected`` at
    the precision the exercise asks for: ``decimals`` places or ``sig_figs`` significant figures
    (exactly one of the two). ``2/7`` asked to 2 decimal places accepts 0.29 and 0.2857."""
    tolerance = float_tolerance(expected, decimals, sig_figs)
    if unanswered(answer):
        return not_answered(ex_id)
    answer = _plain_number(answer)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return CheckResult(ex_id, False, f"expected a number, got {answer!r}.")
    wanted = precision_text(decimals, sig_figs)
    if abs(float(answer) - expected) <= tolerance * (1 + 1e-9):
        return CheckResult(ex_id, True, f"{answer:.4g} is correct ({wanted}).")
    return CheckResult(ex_id, False, f"{answer:.4g} is not it ({wanted}). Hint: {hint}")


# --- answers that are Keras layers or models: judged by what they compute -------------------
#
# A learner's model is never judged by which layer classes it holds (``Activation("relu6")``
# and ``ReLU(max_value=6)`` are the same function, ``x + inputs`` and ``Add()`` the same sum).
# :func:`keras_answer` is the one preamble every such check starts with; the :class:`Probe` it
# returns measures behaviour: output shapes, parameters, the input patch an output pixel sees,
# the input channels an output channel reads, MACs, and outputs with chosen weights zeroed.


def keras_answer(ex_id: str, answer, input_shape: tuple, *, models_only: bool = False):
    """The shared start of a check whose answer is a Keras layer or model.

    Returns a :class:`Probe` of ``answer`` called on an input of ``input_shape`` (rows, cols,
    channels; no batch axis), or the :class:`CheckResult` to return at once: not answered yet,
    not a Keras layer or model (a ``keras.Model`` when ``models_only``), or it rejects that input.
    """
    if unanswered(answer):
        return not_answered(ex_id)
    import keras

    wanted = keras.Model if models_only else keras.layers.Layer   # a Model is a Layer too
    if not isinstance(answer, wanted):
        what = ("a keras.Model (keras.Model(inputs, outputs))" if models_only
                else "a Keras layer or model")
        return CheckResult(ex_id, False, f"expected {what}, got {type(answer).__name__}.")
    declared = getattr(answer, "inputs", None) if models_only else None
    if declared and len(declared) == 1:
        own = tuple(declared[0].shape[1:])
        if own != tuple(input_shape):
            return CheckResult(ex_id, False, f"its input is {own}, not {tuple(input_shape)}. "
                               f"Hint: keras.Input(shape={tuple(input_shape)}).")
    try:
        return Probe(answer, input_shape)
    except Exception as err:  # a learner's model may reject the input: say why, never raise
        shape = "x".join(str(d) for d in input_shape)
        return CheckResult(ex_id, False, f"it does not accept a {shape} input: "
                           f"{type(err).__name__}: {str(err)[:300]}")


class Probe:
    """A learner's layer or model wrapped as ``keras.Model(Input(input_shape), answer(...))``.

    Attributes:
        answer: the layer or model as given.
        output_shape: measured by running it on one input (without the batch axis).
        model: the wrapping functional model (batch, *input_shape) -> (batch, *output_shape).
        input_shape: without the batch axis.
        params: every parameter of ``answer``, trainable or not (``count_params``).
        trainable: the trainable parameters only.
    """

    def __init__(self, answer, input_shape: tuple):
        import keras

        self.answer = answer
        self.input_shape = tuple(int(d) for d in input_shape)
        inputs = keras.Input(self.input_shape)
        outputs = answer(inputs)
        if not hasattr(outputs, "shape"):
            raise TypeError(f"it returns {type(outputs).__name__}, not one tensor")
        self.model = keras.Model(inputs, outputs)
        # measured on a real input: a Lambda's symbolic shape can be unknown (Keras 3.10)
        self.output_shape = tuple(int(d) for d in self.run(self.base_input()).shape[1:])
        self.params = int(self.model.count_params())
        self.trainable = int(sum(int(np.prod(w.shape)) for w in self.model.trainable_weights))
        # the graph whose inner tensors :meth:`concatenations` returns: the answer's own when
        # it is a functional model (calling it on a new input nests it), else the wrapper's
        own = getattr(answer, "inputs", None)
        self._graph_inputs = own if isinstance(answer, keras.Model) and own else self.model.inputs

    def run(self, x) -> np.ndarray:
        """Outputs (NumPy, inference mode) for a batch ``x`` of inputs."""
        import keras

        return keras.ops.convert_to_numpy(self.model(np.asarray(x, "float32"), training=False))

    def base_input(self, seed: int = 0) -> np.ndarray:
        """One random input (1, *input_shape), standard normal, from a fixed seed."""
        rng = np.random.default_rng(seed)
        return rng.standard_normal((1,) + self.input_shape).astype("float32")

    def patch_seen(self, pixel: tuple, stride: int = 1, radius: int = 6) -> tuple:
        """(rows, cols) of the input patch that output ``pixel`` (row, col) depends on.

        Measured, not read off the layers: each input row (then each column) within ``radius``
        of ``stride * pixel`` is raised in turn, and the rows (columns) whose change reaches the
        output pixel, in any channel, are counted from the first to the last. A 1x1
        convolution sees (1, 1); a 3x3 one (3, 3); a 1x7 one (1, 7); a constant (0, 0).
        """
        base = self.base_input()
        reference = self.run(base)[0, pixel[0], pixel[1]]
        extents = []
        for axis, centre in ((1, stride * pixel[0]), (2, stride * pixel[1])):
            lines = [i for i in range(centre - radius, centre + radius + 1)
                     if 0 <= i < self.input_shape[axis - 1]]
            batch = np.repeat(base, len(lines), axis=0)
            for n, i in enumerate(lines):
                index = [n, slice(None), slice(None), slice(None)]
                index[axis] = i
                batch[tuple(index)] += 10.0
            moved = self.run(batch)[:, pixel[0], pixel[1]]
            change = np.abs(moved - reference).reshape(len(lines), -1).max(axis=1)
            hit = [i for i, c in zip(lines, change) if c > 1e-3 * (1.0 + np.abs(reference).max())]
            extents.append(max(hit) - min(hit) + 1 if hit else 0)
        return tuple(extents)

    def channels_read(self) -> np.ndarray:
        """``read[i, j]``: True where output channel ``j`` changes when input channel ``i``
        does (all of its pixels raised at once). A standard or 1x1 convolution reads every
        input channel; a depthwise one only its own."""
        base = self.base_input()
        reference = self.run(base)[0]
        channels = self.input_shape[-1]
        batch = np.repeat(base, channels, axis=0)
        for i in range(channels):
            batch[i, ..., i] += 10.0
        moved = self.run(batch)
        scale = 1e-3 * (1.0 + np.abs(reference).max())
        change = np.abs(moved - reference[None])
        return change.reshape(channels, -1, change.shape[-1]).max(axis=1) > scale

    def mixes_channels(self) -> bool:
        """True if some output channel reads more than one input channel."""
        return bool((self.channels_read().sum(axis=0) > 1).any())

    def macs(self) -> int:
        """Multiply-accumulates for one image, by :func:`lessons_lib.profiler.profile`."""
        from lessons_lib.profiler import profile

        return int(profile(self.model)["macs"].sum())

    def run_with_kernels_zeroed(self, x) -> np.ndarray:
        """Outputs for ``x`` with every convolution and dense kernel set to zero (biases and
        normalisation kept), then the weights restored. What is left is what bypasses the
        convolutions: for a residual block, the shortcut."""
        saved = [w.numpy() if hasattr(w, "numpy") else np.asarray(w) for w in self.model.weights]
        try:
            for w in self.model.weights:
                if "kernel" in w.path.split("/")[-1]:
                    w.assign(np.zeros(w.shape, dtype="float32"))
            return self.run(x)
        finally:
            for w, value in zip(self.model.weights, saved):
                w.assign(value)

    def operations(self) -> list:
        """Every operation of the graph (layers and ``keras.ops`` calls), nested models opened,
        Input layers left out."""
        import keras

        found, stack = [], list(self.model.operations)
        while stack:
            op = stack.pop(0)
            if isinstance(op, keras.layers.InputLayer):
                continue
            if isinstance(op, keras.Model) and hasattr(op, "operations"):
                stack = list(op.operations) + stack
                continue
            found.append(op)
        return found

    def relu6_count(self) -> int:
        """How many weightless one-input operations compute ``min(max(x, 0), 6)``, found by
        calling each on probe values (so ``ReLU(6.0)``, ``Activation("relu6")`` and
        ``keras.ops.relu6`` all count)."""
        import keras

        probe = np.linspace(-10.0, 10.0, 41, dtype="float32")
        count = 0
        for op in self.operations():
            if getattr(op, "weights", None):
                continue
            nodes = getattr(op, "_inbound_nodes", [])
            if not nodes or len(nodes[0].input_tensors) != 1:
                continue
            shape = tuple(nodes[0].input_tensors[0].shape[1:])
            size = int(np.prod(shape))
            x = np.resize(probe, size).reshape((1,) + shape)
            try:
                y = keras.ops.convert_to_numpy(op(x))
            except Exception:  # an operation that needs more than one tensor: not a ReLU6
                continue
            if y.shape == x.shape and np.allclose(y, np.clip(x, 0.0, 6.0), atol=1e-5):
                count += 1
        return count

    def concatenations(self) -> list:
        """The input tensors of each concatenation in the graph (the ``Concatenate`` layer or
        ``keras.ops.concatenate``), as lists of symbolic tensors."""
        joins = []
        for op in self.operations():
            if type(op).__name__ != "Concatenate":
                continue
            for node in getattr(op, "_inbound_nodes", []):
                tensors = list(node.input_tensors)
                if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
                    tensors = list(tensors[0])
                joins.append(tensors)
        return joins

    def submodel(self, tensor) -> "Probe":
        """A :class:`Probe` of the part of the graph from the input to ``tensor``."""
        import keras

        sub = keras.Model(self._graph_inputs, tensor)
        return Probe(sub, self.input_shape)

    def distinct_branches(self, tensors) -> int:
        """How many of ``tensors`` (the inputs of one concatenation) compute different values
        on a random input: one tensor joined twice counts once."""
        import keras

        values = keras.Model(self._graph_inputs, list(tensors))(self.base_input(), training=False)
        values = [keras.ops.convert_to_numpy(v) for v in values]
        distinct = []
        for v in values:
            if not any(v.shape == d.shape and np.allclose(v, d) for d in distinct):
                distinct.append(v)
        return len(distinct)
