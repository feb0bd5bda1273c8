"""Every address and hash the book downloads from, written out: a silent edit fails here.

The literals below are copied from their sources (named next to each), not computed from
the constants they check. Changing a URL or a hash in ``lessons_lib`` therefore needs a
matching, reviewed change here.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

from lessons_lib import data  # noqa: E402
from lessons_lib.data import download  # noqa: E402
from lessons_lib.models import MODEL_CONFIGS, _common, configs, decode_predictions  # noqa: E402

KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"
RESNET_RELEASE = "https://github.com/keras-team/keras-applications/releases/download/resnet/"


def test_data_archive_addresses_and_hashes():
    # TF flowers: TFDS tf_flowers/checksums.tsv (SHA-256 of flower_photos.tgz).
    assert data.FLOWERS_URL == ("https://storage.googleapis.com/download.tensorflow.org/"
                                "example_images/flower_photos.tgz")
    assert data.FLOWERS_SHA256 == (
        "4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c")
    # Oxford-IIIT Pet: the current host first (keras-io, then TFDS 4.0.0), the old one last.
    assert data.PETS_IMAGES_URLS == (
        "https://thor.robots.ox.ac.uk/datasets/pets/images.tar.gz",
        "https://thor.robots.ox.ac.uk/~vgg/data/pets/images.tar.gz",
        "https://www.robots.ox.ac.uk/~vgg/data/pets/data/images.tar.gz",
    )
    assert data.PETS_ANNOTATIONS_URLS == (
        "https://thor.robots.ox.ac.uk/datasets/pets/annotations.tar.gz",
        "https://thor.robots.ox.ac.uk/~vgg/data/pets/annotations.tar.gz",
        "https://www.robots.ox.ac.uk/~vgg/data/pets/data/annotations.tar.gz",
    )
    # torchvision OxfordIIITPet._RESOURCES (MD5).
    assert data.PETS_IMAGES_MD5 == "5c4f3ee8e5d25df40f4fd59a7f44e54c"
    assert data.PETS_ANNOTATIONS_MD5 == "95a8c909bbe2e81eed6a22bccdf3f68f"


def test_the_loaders_use_those_constants(monkeypatch, tmp_path):
    """load_classification / load_segmentation ask for exactly the pinned archives."""
    asked = []

    def record(name, archives, *args):
        asked.append((name, [(tuple(urls), file_hash) for urls, file_hash in archives]))
        return None, "recorded"

    monkeypatch.setattr(download, "_fetch", record)
    data.load_classification(image_size=8, n_generated=4, cache_dir=tmp_path, verbose=False)
    data.load_segmentation(image_size=8, n_generated=4, cache_dir=tmp_path, verbose=False)
    assert asked == [
        ("TF flowers", [((data.FLOWERS_URL,), data.FLOWERS_SHA256)]),
        ("Oxford-IIIT Pet", [(data.PETS_IMAGES_URLS, data.PETS_IMAGES_MD5),
                             (data.PETS_ANNOTATIONS_URLS, data.PETS_ANNOTATIONS_MD5)]),
    ]


# keras.applications' WEIGHTS_PATH / file_hash values (xception.py, inception_v3.py, resnet.py).
EXPECTED_WEIGHTS = {
    "xception": {
        "top": ("xception_weights_tf_dim_ordering_tf_kernels.h5",
                KERAS_APPS + "xception/xception_weights_tf_dim_ordering_tf_kernels.h5",
                "0a58e3b7378bc2990ea3b43d5981f1f6"),
        "notop": ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  KERAS_APPS + "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "b0042744bf5b25fce3cb969f33bebb97"),
    },
    "inception_v3": {
        "top": ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
                KERAS_APPS + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
                "9a0d58056eeedaa3f26cb7ebd46da564"),
        "notop": ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  KERAS_APPS
                  + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "bcbd6486424b2319ff4ef7d526e38f63"),
    },
    "mobilenet": {
        "top": ("mobilenet_1_0_224_tf.h5", KERAS_APPS + "mobilenet/mobilenet_1_0_224_tf.h5",
                None),
        "notop": ("mobilenet_1_0_224_tf_no_top.h5",
                  KERAS_APPS + "mobilenet/mobilenet_1_0_224_tf_no_top.h5", None),
    },
    "resnext50": {
        "top": ("resnext50_weights_tf_dim_ordering_tf_kernels.h5",
                RESNET_RELEASE + "resnext50_weights_tf_dim_ordering_tf_kernels.h5",
                "67a5b30d522ed92f75a1f16eef299d1a"),
        "notop": ("resnext50_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  RESNET_RELEASE + "resnext50_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "62527c363bdd9ec598bed41947b379fc"),
    },
}


def test_weights_addresses_and_hashes():
    assert configs.KERAS_STORAGE == KERAS_APPS
    assert configs.KERAS_APPLICATIONS_RELEASE == RESNET_RELEASE
    assert {name: cfg["weights"] for name, cfg in MODEL_CONFIGS.items()} == EXPECTED_WEIGHTS


@pytest.mark.parametrize("alpha, alpha_text", [(1.0, "1_0"), (0.75, "7_5"), (0.5, "5_0"),
                                               (0.25, "2_5")])
@pytest.mark.parametrize("rows", [128, 160, 192, 224])
@pytest.mark.parametrize("include_top, suffix", [(True, ""), (False, "_no_top")])
def test_mobilenet_weights_files(alpha, alpha_text, rows, include_top, suffix):
    # keras.applications.MobileNet: BASE_WEIGHT_PATH + "mobilenet_%s_%d_tf[_no_top].h5".
    file_name = f"mobilenet_{alpha_text}_{rows}_tf{suffix}.h5"
    assert configs.mobilenet_weights_file(alpha, rows, include_top) == (
        file_name, KERAS_APPS + "mobilenet/" + file_name, None)


def test_imagenet_class_index_address_and_hash(monkeypatch):
    # keras.applications.imagenet_utils: CLASS_INDEX_PATH and its file_hash.
    assert configs.CLASS_INDEX_URL == ("https://storage.googleapis.com/download.tensorflow.org/"
                                       "data/imagenet_class_index.json")
    asked = []

    def record(file_name, url, file_hash=None, what="weights"):
        asked.append((file_name, url, file_hash))
        raise _common.WeightsUnavailableError("recorded, not downloaded")

    monkeypatch.setattr(_common, "fetch_file", record)
    with pytest.raises(_common.WeightsUnavailableError, match="recorded"):
        decode_predictions([[0.001] * 1000])
    assert asked == [("imagenet_class_index.json", configs.CLASS_INDEX_URL,
                      "c2c37ea517e94d9795004a39431a14cb")]


def test_pins_agree_with_the_installed_keras():
    """Where Keras exposes the value as a module constant, it is the pinned one too."""
    import keras.src.applications.imagenet_utils as keras_imagenet
    import keras.src.applications.mobilenet as keras_mobilenet

    assert keras_imagenet.CLASS_INDEX_PATH == configs.CLASS_INDEX_URL
    assert keras_mobilenet.BASE_WEIGHT_PATH == KERAS_APPS + "mobilenet/"
