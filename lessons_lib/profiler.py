"""Per-layer cost table of a Keras model: parameters and multiply-accumulates (MACs).

Importing this module does not import TensorFlow or Keras (only pandas);
``profile`` imports Keras when called.

Counting conventions (for ONE image, batch size 1):

- A MAC is one multiply plus one add, ``a += w * x``. Bias additions are not
  counted, nor are BatchNormalization, activations, pooling, padding, Add,
  Concatenate, Reshape, Dropout, UpSampling or Softmax: those rows show 0 MACs
  (they are memory-bound elementwise work, a few percent of the multiply work).
- ``Conv1D/2D/3D``: output elements x (kernel elements x input channels / groups).
- ``DepthwiseConv2D``: output elements x kernel elements (kh x kw); the output
  has input channels x depth_multiplier channels.
- ``SeparableConv2D``: the depthwise part (H' x W' x C_in x depth_multiplier x kh x kw)
  plus the pointwise part (H' x W' x C_out x C_in x depth_multiplier).
- ``Conv2DTranspose``: input elements x kh x kw x C_out.
- ``Dense``: input features x output units (per position if the input has
  more than one axis).
- Nested models are expanded: their layers appear as ``outer/inner`` rows.

Memory traffic (``profile(model, traffic=True)``), also for one image: the bytes a layer
must move if every tensor goes through memory once, at float32 (4 bytes per number):
``input_bytes`` (all its input tensors), ``output_bytes`` (all its outputs) and
``weight_bytes`` (all its weights, ``params``, trainable or not), ``bytes`` their sum,
and ``macs_per_byte`` = macs / bytes, the layer's *arithmetic intensity*. Caches and
fused kernels can move less; the count is the simple model a roofline plot uses. At a
batch of B images the weights are read once per batch, so their share per image is
``weight_bytes / B``.

With these conventions the totals at the default sizes are: Xception 8.36 G
(299), InceptionV3 5.71 G (299), MobileNet 1.0 0.569 G (224, the paper's
569 M mult-adds includes the 1x1 classifier conv) and ResNeXt-50 4.23 G (224),
matching the published figures (torchvision counts, and the MobileNet paper).
"""

import math

import pandas as pd

COLUMNS = ["layer", "type", "output_shape", "params", "macs"]
TRAFFIC_COLUMNS = ["input_bytes", "output_bytes", "weight_bytes", "bytes", "macs_per_byte"]
#: Bytes of one number in the traffic columns: float32.
BYTES_PER_NUMBER = 4


def _prod(values):
    return int(math.prod(int(v) for v in values))


def _shape(tensor):
    return tuple(tensor.shape)


def _layer_cost(layer, input_shape, output_shape):
    """Return (params, macs) of one layer from its config and the I/O shapes (batch first).

    Layers are matched by class with ``isinstance``, so a subclass (such as the
    ResNeXt chapter's ``GroupedConv2D``, a ``Conv2D``) is costed like its parent.
    """
    import keras

    L = keras.layers
    kind = next((name for name, cls in (
        ("SeparableConv2D", L.SeparableConv2D), ("DepthwiseConv2D", L.DepthwiseConv2D),
        ("Conv2DTranspose", L.Conv2DTranspose), ("Conv2D", L.Conv2D), ("Conv1D", L.Conv1D),
        ("Conv3D", L.Conv3D), ("Dense", L.Dense)) if isinstance(layer, cls)),
        type(layer).__name__)
    out_elements = _prod(output_shape[1:])
    in_channels = input_shape[-1]

    if kind in ("Conv1D", "Conv2D", "Conv3D"):
        kernel_elements = _prod(layer.kernel_size)
        groups = getattr(layer, "groups", 1)
        per_output = kernel_elements * in_channels // groups
        params = per_output * layer.filters + (layer.filters if layer.use_bias else 0)
        return params, out_elements * per_output

    if kind == "DepthwiseConv2D":
        kernel_elements = _prod(layer.kernel_size)
        out_channels = in_channels * layer.depth_multiplier
        params = kernel_elements * out_channels + (out_channels if layer.use_bias else 0)
        return params, out_elements * kernel_elements

    if kind == "SeparableConv2D":
        kernel_elements = _prod(layer.kernel_size)
        mid_channels = in_channels * layer.depth_multiplier
        positions = _prod(output_shape[1:-1])
        params = (kernel_elements * mid_channels + mid_channels * layer.filters
                  + (layer.filters if layer.use_bias else 0))
        macs = positions * (mid_channels * kernel_elements + mid_channels * layer.filters)
        return params, macs

    if kind == "Conv2DTranspose":
        kernel_elements = _prod(layer.kernel_size)
        params = kernel_elements * in_channels * layer.filters + (
            layer.filters if layer.use_bias else 0)
        return params, _prod(input_shape[1:]) * kernel_elements * layer.filters

    if kind == "Dense":
        params = in_channels * layer.units + (layer.units if layer.use_bias else 0)
        return params, out_elements * in_channels

    if kind == "BatchNormalization":
        channels = input_shape[layer.axis] if isinstance(layer.axis, int) else in_channels
        per_channel = 2 + int(layer.scale) + int(layer.center)  # mean, var, gamma, beta
        return per_channel * channels, 0

    return layer.count_params(), 0


def _rows(model, prefix):
    import keras

    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        name = prefix + layer.name
        if isinstance(layer, keras.Model):
            rows.extend(_rows(layer, name + "/"))
            continue
        node = layer._inbound_nodes[0]
        inputs = node.input_tensors
        outputs = node.output_tensors
        input_shape = _shape(inputs[0])
        output_shape = _shape(outputs[0]) if len(outputs) == 1 else [
            _shape(t) for t in outputs]
        params, macs = _layer_cost(layer, input_shape,
                                   output_shape if len(outputs) == 1 else output_shape[0])
        in_numbers = sum(_prod(_shape(t)[1:]) for t in inputs)
        out_numbers = sum(_prod(_shape(t)[1:]) for t in outputs)
        moved = BYTES_PER_NUMBER * (in_numbers + out_numbers + int(params))
        rows.append({"layer": name, "type": type(layer).__name__,
                     "output_shape": output_shape[1:] if len(outputs) == 1 else output_shape,
                     "params": int(params), "macs": int(macs),
                     "input_bytes": BYTES_PER_NUMBER * in_numbers,
                     "output_bytes": BYTES_PER_NUMBER * out_numbers,
                     "weight_bytes": BYTES_PER_NUMBER * int(params), "bytes": moved,
                     "macs_per_byte": macs / moved if moved else 0.0})
    return rows


def profile(model, input_shape=None, traffic=False):
    """One row per layer: name, type, output shape, parameters and MACs for one image.

    Args:
        model: a built Keras functional or Sequential model.
        input_shape: optional (H, W, C) to profile the model at another input size
            (the model is cloned with that input; weights are not copied).
        traffic: if True, add the memory-traffic columns ``input_bytes``,
            ``output_bytes``, ``weight_bytes``, ``bytes`` (ints, bytes per image at
            float32) and ``macs_per_byte`` (float, MACs / bytes); see the module docstring.

    Returns:
        pandas.DataFrame with columns ``layer`` (str), ``type`` (layer class),
        ``output_shape`` (tuple without the batch axis), ``params`` (int, equal
        to ``layer.count_params()``) and ``macs`` (int, multiply-accumulates per
        image; see the module docstring for what counts). ``df.macs.sum()`` is
        the model's total.

    Raises:
        TypeError: if ``traffic`` is not a bool.
    """
    import keras

    if not isinstance(traffic, bool):
        raise TypeError(f"traffic must be True or False, got {traffic!r}")
    if input_shape is not None:
        model = keras.models.clone_model(
            model, input_tensors=keras.Input(shape=tuple(input_shape)))
    return pd.DataFrame(_rows(model, ""), columns=COLUMNS + (TRAFFIC_COLUMNS if traffic else []))
