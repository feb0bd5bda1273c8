"""lessons_lib.imagenet_photo: nothing is downloaded offline, and the table is the notes'."""

import numpy as np
import pytest

from lessons_lib import imagenet_photo as ip
from lessons_lib.models import WeightsUnavailableError


def test_addresses_are_pinned():
    # keras.io "Grad-CAM class activation visualization": keras.utils.get_file(
    #     "african_elephant.jpg", "https://i.imgur.com/Bvro0YD.png")
    assert (ip.ELEPHANT_FILE, ip.ELEPHANT_URL) == ("african_elephant.jpg",
                                                   "https://i.imgur.com/Bvro0YD.png")
    assert [c for _, c, _ in ip.NOTES_TOP5] == ["African_elephant", "tusker", "Indian_elephant",
                                                "brain_coral", "Komodo_dragon"]


def test_offline_downloads_nothing(monkeypatch):
    monkeypatch.setenv("LESSONS_OFFLINE", "1")
    monkeypatch.setattr(ip, "fetch_file", lambda *a, **k: pytest.fail("downloaded offline"))
    with pytest.raises(WeightsUnavailableError, match="LESSONS_OFFLINE"):
        ip.load_photo()


def test_load_photo_resizes_a_fetched_file(monkeypatch, tmp_path):
    from PIL import Image

    path = tmp_path / "elephant.png"
    Image.fromarray(np.full((40, 60, 3), 200, "uint8")).save(path)
    monkeypatch.delenv("LESSONS_OFFLINE", raising=False)
    monkeypatch.setattr(ip, "fetch_file", lambda *a, **k: str(path))
    photo = ip.load_photo(size=99)
    assert photo.shape == (99, 99, 3) and photo.dtype == np.float32 and photo.max() == 200
    with pytest.raises(ValueError, match="size"):
        ip.load_photo(size=64)


def test_compare_top5():
    notes_only = ip.compare_top5(None)
    assert list(notes_only["notes: probability"]) == [0.509, 0.195, 0.157, 0.001, 0.001]
    ours = [("n02504458", "African_elephant", np.float32(0.7))] + [("x", "y", 0.01)] * 4
    table = ip.compare_top5(ours)
    assert table.loc[0, "this book: class"] == "African_elephant"
    assert table.loc[0, "this book: probability"] == 0.7
    with pytest.raises(ValueError, match="5"):
        ip.compare_top5(ours[:3])
