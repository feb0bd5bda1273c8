"""The run scale of a chapter: ``quick`` (CPU, small data, few epochs) or ``full`` (GPU).

It is decided here and only here, printed by the chapter, and never hidden:

1. the environment variable ``LESSONS_SCALE`` (``quick`` or ``full``) wins;
2. otherwise ``full`` if TensorFlow sees a GPU, else ``quick``.

A chapter reads its sizes from the returned :class:`RunScale`, e.g.
``epochs = scale.pick(quick=2, full=20)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

SCALES = ("quick", "full")
ENV_VAR = "LESSONS_SCALE"


@dataclass(frozen=True)
class RunScale:
    """The chosen scale and why it was chosen."""

    name: str
    reason: str

    @property
    def quick(self) -> bool:
        """True in quick mode (CPU-sized runs)."""
        return self.name == "quick"

    def pick(self, quick, full):
        """Return ``quick`` in quick mode and ``full`` in full mode."""
        return quick if self.quick else full

    def __str__(self) -> str:
        return f"Run scale: {self.name} ({self.reason})"


def _gpu_names() -> list:
    import tensorflow as tf  # imported here: deciding the scale is the only reason

    return [d.name for d in tf.config.list_physical_devices("GPU")]


def run_scale(env: dict | None = None) -> RunScale:
    """Decide the run scale from ``LESSONS_SCALE`` or the hardware.

    Args:
        env: the environment to read (default ``os.environ``); tests pass a dict.

    Raises:
        ValueError: if ``LESSONS_SCALE`` is set to anything but ``quick`` or ``full``.
    """
    env = os.environ if env is None else env
    requested = env.get(ENV_VAR, "").strip().lower()
    if requested:
        if requested not in SCALES:
            raise ValueError(
                f"{ENV_VAR} must be one of {SCALES} (or unset), got {env.get(ENV_VAR)!r}"
            )
        return RunScale(requested, f"set by {ENV_VAR}={requested}")
    gpus = _gpu_names()
    if gpus:
        return RunScale("full", f"found GPU {gpus[0]}; set {ENV_VAR}=quick for a short run")
    return RunScale("quick", f"no GPU found; set {ENV_VAR}=full to run at full scale anyway")
