"""Model builders of the book, one module per family (import this explicitly: it imports Keras).

- ``inception``: ``inception_module``, ``inception_classifier``, ``inception_v3``
- ``xception``: ``xception``
- ``mobilenet``: ``mobilenet``, ``mobilenet_encoder``, ``mobilenet_unet``
- ``resnext``: ``resnext50``, ``convert_resnext_weights``
- ``configs``: ``MODEL_CONFIGS``, ``preprocess_input``, ``decode_predictions``

All classifier builders follow keras.applications' signature conventions
(``include_top``, ``weights``, ``input_tensor``, ``input_shape``, ``pooling``,
``classes``, ``classifier_activation``, ``name``) with ``weights=None`` as the
default so that nothing is downloaded unless asked for.
"""

from lessons_lib.models._common import WeightsUnavailableError, randomize_weights
from lessons_lib.models.configs import MODEL_CONFIGS, decode_predictions, preprocess_input
from lessons_lib.models.inception import inception_classifier, inception_module, inception_v3
from lessons_lib.models.mobilenet import mobilenet, mobilenet_encoder, mobilenet_unet
from lessons_lib.models.resnext import (convert_resnext_weights, depthwise_to_grouped_kernel,
                                        resnext50)
from lessons_lib.models.xception import xception

__all__ = [
    "MODEL_CONFIGS", "WeightsUnavailableError", "convert_resnext_weights",
    "decode_predictions", "depthwise_to_grouped_kernel", "inception_classifier",
    "inception_module", "inception_v3", "mobilenet", "mobilenet_encoder", "mobilenet_unet",
    "preprocess_input", "randomize_weights", "resnext50", "xception",
]
