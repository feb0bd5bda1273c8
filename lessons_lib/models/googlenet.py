"""GoogLeNet's Inception module (Szegedy et al. 2015, Figure 2b) and its bottleneck arithmetic.

The classic module keeps the grid (stride 1, ``same`` padding) and runs four branches
side by side: a 1x1 convolution; a 1x1 "reduce" then a 3x3; a 1x1 "reduce" then a 5x5;
a 3x3 max-pool then a 1x1 "projection". Every convolution is followed by a ReLU. The
defaults are the paper's module ``inception (3a)`` (Table 1): 28x28x192 in, 28x28x256 out.
"""

from keras import layers

from lessons_lib import arithmetic as ar
from lessons_lib.models._common import check_int


def googlenet_module(x, f1x1=64, f3x3_reduce=96, f3x3=128, f5x5_reduce=16, f5x5=32,
                     pool_proj=32, name="inception_3a"):
    """GoogLeNet's stride-1 Inception module with 1x1 bottlenecks.

    Args:
        x: input tensor (batch, H, W, C).
        f1x1: filters of the 1x1 branch.
        f3x3_reduce, f3x3: the 1x1 before the 3x3, and the 3x3's filters.
        f5x5_reduce, f5x5: the 1x1 before the 5x5, and the 5x5's filters.
        pool_proj: filters of the 1x1 after the 3x3 max-pool.
        name: prefix of the layer names (``{name}_1x1``, ``{name}_3x3_reduce``, ...).

    Returns:
        tensor (batch, H, W, f1x1 + f3x3 + f5x5 + pool_proj); (batch, 28, 28, 256) for the
        defaults on a 28x28x192 input.
    """
    for arg, value in (("f1x1", f1x1), ("f3x3_reduce", f3x3_reduce), ("f3x3", f3x3),
                       ("f5x5_reduce", f5x5_reduce), ("f5x5", f5x5), ("pool_proj", pool_proj)):
        check_int(arg, value, minimum=1)

    def conv(t, filters, size, label):
        return layers.Conv2D(filters, size, padding="same", activation="relu",
                             name=f"{name}_{label}")(t)

    branch_1 = conv(x, f1x1, 1, "1x1")
    branch_3 = conv(conv(x, f3x3_reduce, 1, "3x3_reduce"), f3x3, 3, "3x3")
    branch_5 = conv(conv(x, f5x5_reduce, 1, "5x5_reduce"), f5x5, 5, "5x5")
    branch_p = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    branch_p = conv(branch_p, pool_proj, 1, "pool_proj")
    return layers.Concatenate(axis=-1, name=f"{name}_concat")(
        [branch_1, branch_3, branch_5, branch_p])


def bottleneck_costs(size=28, in_channels=192, out_channels=32, kernel_size=5, reduce=16,
                     use_bias=False):
    """The cost of a ``kernel_size`` convolution with and without a 1x1 bottleneck.

    The worked example of the deeplearning.ai course (A. Ng, *Convolutional Neural Networks*), on
    the sizes of the paper's inception (3a) (Table 1; the paper argues for the bottleneck in
    words only, Section 4): a 5x5 convolution from 192 to 32 channels on a 28x28 grid (stride 1,
    ``same``), directly, or after a 1x1 that first reduces the 192 channels to ``reduce``.

    Returns:
        dict with ``direct`` (the ConvCost of the lone convolution) and ``bottleneck`` (the
        ConvCost of the 1x1 followed by the convolution); MACs are for one image.
    """
    direct = ar.standard_conv(size, size, in_channels, out_channels, kernel_size,
                              use_bias=use_bias)
    squeeze = ar.pointwise_conv(size, size, in_channels, reduce, use_bias=use_bias)
    then = ar.standard_conv(size, size, reduce, out_channels, kernel_size, use_bias=use_bias)
    return {"direct": direct, "bottleneck": squeeze + then}

