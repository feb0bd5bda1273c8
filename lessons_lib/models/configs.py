"""One small table per model, in the spirit of timm's ``default_cfg``.

Importing this module imports neither TensorFlow nor Keras: it is data plus two
numpy helpers, ``preprocess_input`` and ``decode_predictions`` (the latter
downloads the ImageNet class index on first use, through Keras).

Fields of each entry of ``MODEL_CONFIGS``:

- ``default_size``: input height = width (pixels) the ImageNet weights were trained at.
- ``min_size``: smallest height/width the builder accepts (pixels).
- ``preprocessing``: ``"tf"`` scales RGB 0..255 to -1..1 (x / 127.5 - 1);
  ``"torch"`` scales to 0..1 then subtracts the ImageNet mean and divides by
  the std, per channel.
- ``weights``: ``{"top": (file_name, url, md5), "notop": (...)}``. ``md5`` is
  the hash keras.applications passes to ``get_file``; None where Keras ships
  none (MobileNet, whose files are named per alpha and size in ``weights_fn``).
- ``top1``: published ImageNet top-1 accuracy of those weights (single 224/299 crop).
- ``params``: total parameters with the 1000-class head.
- ``paper``: the reference.
"""

KERAS_STORAGE = "https://storage.googleapis.com/tensorflow/keras-applications/"
KERAS_APPLICATIONS_RELEASE = (
    "https://github.com/keras-team/keras-applications/releases/download/resnet/")
CLASS_INDEX_URL = ("https://storage.googleapis.com/download.tensorflow.org/data/"
                   "imagenet_class_index.json")

IMAGENET_MEAN = (0.485, 0.456, 0.406)  # RGB, on the 0..1 scale
IMAGENET_STD = (0.229, 0.224, 0.225)


def _keras_file(subdir, file_name, md5):
    return (file_name, KERAS_STORAGE + subdir + "/" + file_name, md5)


def mobilenet_weights_file(alpha, rows, include_top):
    """(file_name, url, md5) of the Keras MobileNet v1 file for ``alpha`` and ``rows`` pixels.

    Keras publishes no hash for these files, so md5 is None (no integrity check).
    """
    alpha_text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}[alpha]
    suffix = "" if include_top else "_no_top"
    file_name = f"mobilenet_{alpha_text}_{rows}_tf{suffix}.h5"
    return (file_name, KERAS_STORAGE + "mobilenet/" + file_name, None)


MODEL_CONFIGS = {
    "xception": {
        "default_size": 299, "min_size": 71, "preprocessing": "tf",
        "weights": {
            "top": _keras_file("xception", "xception_weights_tf_dim_ordering_tf_kernels.h5",
                               "0a58e3b7378bc2990ea3b43d5981f1f6"),
            "notop": _keras_file("xception",
                                 "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
                                 "b0042744bf5b25fce3cb969f33bebb97"),
        },
        "top1": 0.790, "params": 22_910_480,
        "paper": "Chollet, Xception: Deep Learning with Depthwise Separable "
                 "Convolutions, CVPR 2017, arXiv:1610.02357",
    },
    "inception_v3": {
        "default_size": 299, "min_size": 75, "preprocessing": "tf",
        "weights": {
            "top": _keras_file("inception_v3",
                               "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
                               "9a0d58056eeedaa3f26cb7ebd46da564"),
            "notop": _keras_file("inception_v3",
                                 "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
                                 "bcbd6486424b2319ff4ef7d526e38f63"),
        },
        "top1": 0.779, "params": 23_851_784,
        "paper": "Szegedy et al., Rethinking the Inception Architecture for Computer "
                 "Vision, CVPR 2016, arXiv:1512.00567",
    },
    "mobilenet": {
        "default_size": 224, "min_size": 32, "preprocessing": "tf",
        "weights": {
            "top": mobilenet_weights_file(1.0, 224, include_top=True),
            "notop": mobilenet_weights_file(1.0, 224, include_top=False),
        },
        "top1": 0.704, "params": 4_253_864,
        "paper": "Howard et al., MobileNets: Efficient Convolutional Neural Networks "
                 "for Mobile Vision Applications, arXiv:1704.04861",
    },
    "resnext50": {
        "default_size": 224, "min_size": 32, "preprocessing": "torch",
        "weights": {
            "top": ("resnext50_weights_tf_dim_ordering_tf_kernels.h5",
                    KERAS_APPLICATIONS_RELEASE
                    + "resnext50_weights_tf_dim_ordering_tf_kernels.h5",
                    "67a5b30d522ed92f75a1f16eef299d1a"),
            "notop": ("resnext50_weights_tf_dim_ordering_tf_kernels_notop.h5",
                      KERAS_APPLICATIONS_RELEASE
                      + "resnext50_weights_tf_dim_ordering_tf_kernels_notop.h5",
                      "62527c363bdd9ec598bed41947b379fc"),
        },
        # keras-applications README: 77.74 % top-1 (torchvision's own weights: 77.62 %).
        "top1": 0.777, "params": 25_097_128,
        "paper": "Xie et al., Aggregated Residual Transformations for Deep Neural "
                 "Networks, CVPR 2017, arXiv:1611.05431",
    },
}


def get_config(model_name):
    """Return the table entry of ``model_name`` (ValueError listing the known names)."""
    if not isinstance(model_name, str):
        raise TypeError(f"`model_name` must be a string; received model_name={model_name!r}.")
    if model_name not in MODEL_CONFIGS:
        raise ValueError(f"`model_name` must be one of {sorted(MODEL_CONFIGS)}; received "
                         f"model_name={model_name!r}.")
    return MODEL_CONFIGS[model_name]


def preprocess_input(x, model_name):
    """Scale RGB images with values 0..255 the way ``model_name``'s weights expect.

    Args:
        x: array of shape (..., H, W, 3), RGB, values 0..255 (uint8 or float).
            numpy arrays and TensorFlow tensors both work.
        model_name: a key of ``MODEL_CONFIGS``.

    Returns:
        float32 array of the same shape: "tf" mode gives values in -1..1;
        "torch" mode gives (x / 255 - mean) / std per channel (roughly -2.1..2.6).
    """
    import numpy as np

    mode = get_config(model_name)["preprocessing"]
    if isinstance(x, (list, tuple)) or isinstance(x, np.ndarray):
        x = np.asarray(x, dtype=np.float32)
    if x.shape[-1] != 3:
        raise ValueError("`x` must be channels-last RGB with 3 channels; received an "
                         f"array of shape {tuple(x.shape)}.")
    if mode == "tf":
        return x / 127.5 - 1.0
    mean = np.asarray(IMAGENET_MEAN, dtype=np.float32)
    std = np.asarray(IMAGENET_STD, dtype=np.float32)
    return (x / 255.0 - mean) / std


def decode_predictions(preds, top=5):
    """Turn ImageNet class probabilities into ``(wordnet_id, class_name, score)`` tuples.

    Args:
        preds: array of shape (batch, 1000).
        top: how many classes per image, best first.

    Returns:
        one list of ``top`` tuples per image.

    Raises:
        WeightsUnavailableError: the class index JSON (a 35 kB download, cached
            in ~/.keras/models) could not be fetched.
    """
    import json

    import numpy as np

    from lessons_lib.models._common import check_int, fetch_file

    check_int("top", top, minimum=1)
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`preds` must have shape (batch, 1000) (ImageNet classes); "
                         f"received shape {preds.shape}.")
    path = fetch_file("imagenet_class_index.json", CLASS_INDEX_URL,
                      "c2c37ea517e94d9795004a39431a14cb", what="ImageNet class index")
    with open(path) as f:
        class_index = json.load(f)
    results = []
    for row in preds:
        best = np.argsort(row)[::-1][:top]
        results.append([(class_index[str(i)][0], class_index[str(i)][1], float(row[i]))
                        for i in best])
    return results
