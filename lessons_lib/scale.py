"""The run scale of a chapter: ``quick`` (CPU), ``full`` (GPU) or ``smoke`` (a test of full).

It is decided here and only here, printed by the chapter, and never hidden:

1. the environment variable ``LESSONS_SCALE`` (``quick``, ``smoke`` or ``full``) wins;
2. otherwise ``full`` if the active Keras backend (TensorFlow, JAX or PyTorch) sees a GPU,
   else ``quick``.

The three scales:

* ``quick``: small data, small images, few epochs: a whole chapter in minutes on a CPU;
* ``full``: the real input sizes, widths, batch sizes, data and epochs: meant for a GPU;
* ``smoke``: full's sizes, widths, batch sizes and data choices, but one or two steps of
  every training or timing loop. It runs every full-size code path on a CPU in minutes,
  so a shape, memory or code error that only full scale reaches shows up in CI rather
  than on a learner's GPU. Its trained results mean nothing.

A chapter reads its sizes from the returned :class:`RunScale`, e.g.
``epochs = scale.pick(quick=2, full=20, smoke=1)``; ``scale.pick(quick=32, full=64)``
gives 64 in smoke, as in full.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from lessons_lib.validation import check_choice

SCALES = ("quick", "smoke", "full")
ENV_VAR = "LESSONS_SCALE"

#: What each scale is, as the chapter's first line says it.
DESCRIPTIONS = {
    "quick": "small data and few epochs, sized for a CPU",
    "smoke": ("full-scale sizes with one or two steps per loop: a test of the full-scale code "
              "on a CPU, whose trained results mean nothing"),
    "full": "the full input sizes, data and epochs, sized for a GPU",
}


@dataclass(frozen=True)
class RunScale:
    """The chosen scale and why it was chosen.

    Attributes:
        name: ``"quick"``, ``"smoke"`` or ``"full"``.
        reason: why this scale was chosen (printed in brackets).
        gpus: names of the GPUs the active Keras backend found (empty: none, or the backend's
            framework is not installed).
        requested: True if ``LESSONS_SCALE`` chose the scale, False if the hardware did.
    """

    name: str
    reason: str
    gpus: tuple = ()
    requested: bool = False

    def __post_init__(self):
        check_choice("name", self.name, SCALES)

    @property
    def quick(self) -> bool:
        """True in quick mode (small, CPU-sized runs)."""
        return self.name == "quick"

    @property
    def smoke(self) -> bool:
        """True in smoke mode (full sizes, one or two steps per loop)."""
        return self.name == "smoke"

    @property
    def full(self) -> bool:
        """True where the full-size code paths run: in full *and* in smoke mode."""
        return self.name in ("full", "smoke")

    @property
    def missing_gpu(self) -> bool:
        """True when a GPU would change this run: no GPU was found and the scale is quick
        because of that, or ``LESSONS_SCALE=full`` asked for full scale on the CPU."""
        return not self.gpus and (self.name == "full" or (self.quick and not self.requested))

    def pick(self, quick, full, smoke=None):
        """The value for this scale: ``quick`` in quick mode, ``full`` in full mode, and in
        smoke mode ``smoke`` if given (not None), else ``full``.

        Give ``smoke`` only for a loop length or a count of generated examples (epochs,
        steps, repeats): sizes, widths and data choices stay those of full.
        """
        if self.quick:
            return quick
        if self.smoke and smoke is not None:
            return smoke
        return full

    def __str__(self) -> str:
        return f"Run scale: {self.name}, {DESCRIPTIONS[self.name]} ({self.reason})"


def _gpu_names() -> list:
    """Names of the GPUs the active Keras backend sees; ``[]`` if it sees none.

    Asks the backend's own framework: TensorFlow ``tf.config.list_physical_devices``, JAX
    ``jax.devices()``, PyTorch ``torch.cuda``. ``[]`` when Keras or that framework is not
    installed. (On TensorFlow this imports TensorFlow, as importing Keras does anyway.)
    """
    try:
        import keras

        backend = keras.backend.backend()
        if backend == "tensorflow":
            import tensorflow as tf
            return [d.name for d in tf.config.list_physical_devices("GPU")]
        if backend == "jax":
            import jax
            return [str(d) for d in jax.devices() if d.platform == "gpu"]
        if backend == "torch":
            import torch
            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except ImportError:
        pass
    return []


def accelerator() -> str:
    """``"GPU"`` if the active Keras backend sees a GPU, else ``"CPU"``: what a chapter prints
    next to a timing ("measured on the CPU")."""
    return "GPU" if _gpu_names() else "CPU"


def run_scale(env: dict | None = None) -> RunScale:
    """Decide the run scale from ``LESSONS_SCALE`` or the hardware.

    Args:
        env: the environment to read (default ``os.environ``); tests pass a dict.

    Raises:
        ValueError: if ``LESSONS_SCALE`` is set to anything but ``quick``, ``smoke`` or ``full``.
    """
    env = os.environ if env is None else env
    raw = env.get(ENV_VAR, "")
    requested = raw.strip().lower()
    if requested and requested not in SCALES:
        raise ValueError(f"{ENV_VAR} must be one of {SCALES} (or unset), got {raw!r}")
    gpus = tuple(_gpu_names())
    if requested:
        reason = f"set by {ENV_VAR}={requested}"
        if requested == "full" and not gpus:
            reason += "; no GPU found, so training will be slow"
        return RunScale(requested, reason, gpus, requested=True)
    if gpus:
        return RunScale("full", f"found GPU {gpus[0]}; set {ENV_VAR}=quick for a short run", gpus)
    return RunScale("quick", f"no GPU found; set {ENV_VAR}=full to run at full scale anyway")
