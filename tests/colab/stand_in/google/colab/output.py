"""Stand-in for Colab's ``google.colab.output``: importable, as on Colab, and nothing more.

JAX imports it when ``google.colab`` is in ``sys.modules`` (``jax._src.debugger.colab_lib``,
JAX 0.7.2, the version Colab ships: found by the current Colab leg), so ``import jax`` fails
on Colab without it. Its functions are only names here: calling one fails, so a notebook that
uses Colab's output API must be taught to this stand-in first.
"""


def _not_here(name):
    def call(*args, **kwargs):
        raise NotImplementedError(f"google.colab.output.{name} is Colab's; the stand-in of the "
                                  "Colab path test (tests/colab/stand_in) does not have it")
    call.__name__ = name
    return call


use_tags = _not_here("use_tags")
redirect_to_element = _not_here("redirect_to_element")
clear = _not_here("clear")
eval_js = _not_here("eval_js")
register_callback = _not_here("register_callback")
enable_custom_widget_manager = _not_here("enable_custom_widget_manager")
