"""Real datasets: where they live, the download with pinned hashes, the cache, going offline.

- TF flowers (:data:`FLOWERS_URL`, SHA-256 :data:`FLOWERS_SHA256`) and Oxford-IIIT Pet
  (:data:`PETS_IMAGES_URLS` and :data:`PETS_ANNOTATIONS_URLS`, one address per mirror of
  :data:`PETS_MIRRORS`, MD5 sums pinned) are downloaded once with ``keras.utils.get_file``
  and extracted under ``<Keras home>/datasets`` (``~/.keras`` or ``$KERAS_HOME``).
- Before any download an HTTP probe (:func:`_probe`) asks each server for the file itself
  (a HEAD request, or a one-byte ranged GET where HEAD is refused) with a short timeout, so
  without internet the loaders fall back in a few seconds, and a missing file is reported as
  what it is ("HTTP 404 for <url>") while the next mirror is tried.
- A download whose hash differs from the pinned one is reported as a "hash mismatch"
  (expected and actual hash, the file, what to do).
- ``LESSONS_OFFLINE=1`` (:data:`OFFLINE_ENV_VAR`, read by :func:`offline_requested`) skips
  all network access.

:func:`_fetch` is the one entry point the loaders use: it never raises for network or
download problems; it returns why the data could not be had. Imports the standard library
only (Keras is imported inside the download itself).
"""

from __future__ import annotations

import os
import shutil
import socket
import tarfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

#: Environment variable that, set to 1/true/yes, forces the generated data (no download).
OFFLINE_ENV_VAR = "LESSONS_OFFLINE"

#: TF flowers archive (about 218 MiB, 3,670 JPEG photos in 5 class folders).
FLOWERS_URL = (
    "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz"
)
#: SHA-256 of ``flower_photos.tgz`` as pinned by TensorFlow Datasets
#: (``tensorflow_datasets/datasets/tf_flowers/checksums.tsv``, 228,813,984 bytes; TFDS
#: lists the ``http://download.tensorflow.org/...`` address, which serves the same
#: Google Cloud Storage object as the ``storage.googleapis.com`` address above).
FLOWERS_SHA256 = "4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c"

#: Folders that serve the Oxford-IIIT Pet archives, tried in this order. The VGG group moved
#: the files to ``thor.robots.ox.ac.uk`` in 2023 after the old host failed: keras-io's
#: ``oxford_pets_image_segmentation`` example fetches ``thor.../datasets/pets/``, TensorFlow
#: Datasets 4.0.0 (``oxford_iiit_pet``) ``thor.../~vgg/data/pets/``. The original
#: ``www.robots.ox.ac.uk`` address stays last, as a fallback.
PETS_MIRRORS = (
    "https://thor.robots.ox.ac.uk/datasets/pets/",
    "https://thor.robots.ox.ac.uk/~vgg/data/pets/",
    "https://www.robots.ox.ac.uk/~vgg/data/pets/data/",
)
#: Oxford-IIIT Pet photos (about 755 MiB) and annotations with trimaps (about 18 MiB), one
#: address per mirror.
PETS_IMAGES_URLS = tuple(mirror + "images.tar.gz" for mirror in PETS_MIRRORS)
PETS_ANNOTATIONS_URLS = tuple(mirror + "annotations.tar.gz" for mirror in PETS_MIRRORS)
#: MD5 sums of the two archives as pinned by torchvision's ``OxfordIIITPet`` dataset
#: (``get_file`` recognises a 32-character hash as MD5); the same archives on every mirror
#: (TFDS lists the ``thor`` copies at 791,918,971 and 19,173,078 bytes).
PETS_IMAGES_MD5 = "5c4f3ee8e5d25df40f4fd59a7f44e54c"
PETS_ANNOTATIONS_MD5 = "95a8c909bbe2e81eed6a22bccdf3f68f"

#: Seconds the HTTP probe of one file waits for an answer before declaring it unreachable.
PROBE_TIMEOUT_S = 3.0
#: HTTP statuses that mean "the file is there": 200 (HEAD or GET), 206 (ranged GET).
_PROBE_OK = (200, 206)
#: Seconds of silence after which a started download is abandoned (instead of hanging).
DOWNLOAD_STALL_TIMEOUT_S = 60.0


def offline_requested(env=None) -> bool:
    """True if ``LESSONS_OFFLINE`` is set to 1/true/yes (``env`` defaults to ``os.environ``)."""
    env = os.environ if env is None else env
    return env.get(OFFLINE_ENV_VAR, "").strip().lower() in ("1", "true", "yes", "on")


def _probe(url: str, timeout_s: float = PROBE_TIMEOUT_S) -> tuple[int | None, str]:
    """Ask the server for the file at ``url`` itself, giving up after ``timeout_s`` seconds.

    Sends a HEAD request; if the server answers anything but 200 or 404 (some refuse HEAD
    with 403, 405 or 501), asks again with a GET of one byte (``Range: bytes=0-0``) and
    closes the connection without reading the body. Redirects are followed. Name
    resolution has no timeout of its own, so the requests run in a background thread and
    we wait for them at most ``timeout_s`` seconds in all.

    Returns:
        ``(status, why)``: ``status`` is the HTTP status of the last answer (200 or 206
        means the file is there; ``why`` is then ``""``), or None when no HTTP answer came
        (no network, refused connection, timeout); ``why`` says what went wrong, as
        ``"HTTP 404 for <url>"`` or ``"network error: ..."``.
    """
    import urllib.error
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return None, f"no host name in {url!r}"
    if parts.scheme not in ("http", "https"):
        return None, f"only http(s) addresses can be probed, got {url!r}"
    outcome: dict[str, Any] = {}

    def ask(method: str, headers: dict[str, str]) -> int:
        request = urllib.request.Request(url, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return response.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code

    def attempt() -> None:
        try:
            status = ask("HEAD", {})
            if status not in (200, 404):
                status = ask("GET", {"Range": "bytes=0-0"})
            outcome["status"] = status
        except Exception as error:  # URLError (an OSError), a malformed answer, a bad URL
            cause = getattr(error, "reason", None)  # URLError wraps the socket error
            cause = cause if isinstance(cause, BaseException) else error
            outcome["error"] = f"{type(cause).__name__}: {cause}"

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout_s)
    where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    if "status" in outcome:
        status = outcome["status"]
        return status, "" if status in _PROBE_OK else f"HTTP {status} for {url}"
    if "error" in outcome:
        return None, f"network error: cannot reach {where} ({outcome['error']})"
    return None, f"network error: no answer from {where} within {timeout_s:g} s"


def _keras_home(cache_dir: str | os.PathLike | None) -> Path:
    """The Keras home (``get_file`` caches in ``<it>/datasets``): ``cache_dir`` or the default."""
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))


def _extract(archive: Path, destination: Path) -> None:
    """Extract a tar archive into ``destination``, refusing unsafe members where Python allows."""
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4 / 3.12
            tar.extractall(destination, filter="data")
        else:
            tar.extractall(destination)


class _HashMismatch(ValueError):
    """A downloaded archive's hash is not the pinned one (the message says what to do)."""


def _file_digest(path: Path, algorithm: str) -> str:
    """Hex digest of the file at ``path`` with ``algorithm`` (``"md5"`` or ``"sha256"``)."""
    import hashlib

    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _get_archive(url: str, file_hash: str | None, cache_dir: Path) -> Path:
    """Download ``url`` into ``cache_dir/datasets`` with ``keras.utils.get_file``; return its path.

    ``get_file`` re-downloads a cached copy whose hash is wrong, and raises a ValueError
    ("Incomplete or corrupted file detected...") when the fresh download does not match
    either, leaving the file in place. We check that file ourselves and raise
    :class:`_HashMismatch`, which names both hashes, the file and what to do.
    """
    import keras  # imported here: only downloads need it

    name = os.path.basename(urllib.parse.urlsplit(url).path)
    target = cache_dir / "datasets" / name
    try:
        return Path(keras.utils.get_file(fname=name, origin=url, file_hash=file_hash,
                                         cache_dir=str(cache_dir), cache_subdir="datasets"))
    except ValueError as error:
        if file_hash is None or not target.is_file():
            raise
        algorithm = "sha256" if len(file_hash) == 64 else "md5"  # get_file's "auto" rule
        got = _file_digest(target, algorithm)
        if got == file_hash:
            raise
        raise _HashMismatch(
            f"hash mismatch for {target} (downloaded from {url}): expected {algorithm} "
            f"{file_hash}, got {got}. The download is incomplete or the server sent another "
            f"file. Delete {target} and run again; if the mismatch repeats, the file on the "
            "server has changed."
        ) from error


def _download_and_extract(
    archives: list[tuple[str, str | None]], destination: Path, cache_dir: Path, verbose: bool
) -> None:
    """Download archives (hash-checked) and extract them.

    Args:
        archives: ``(url, file_hash)`` pairs; ``get_file`` picks SHA-256 or MD5 from the
            hash length (``file_hash=None`` skips the check); a wrong hash raises
            :class:`_HashMismatch`.
        destination: folder that receives the extracted contents of all archives. It is
            written under a temporary name and renamed at the end, so a half-finished
            extraction never looks like a complete one.
        cache_dir: Keras home; archives are kept in ``cache_dir/datasets``.
    """
    # get_file silently switches to /tmp/.keras when cache_dir is not (yet) writable.
    (cache_dir / "datasets").mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_STALL_TIMEOUT_S)  # a stalled transfer raises, not hangs
    try:
        for url, file_hash in archives:
            if verbose:
                print(f"Downloading {url} (once; cached in {cache_dir / 'datasets'}) ...")
            _extract(_get_archive(url, file_hash, cache_dir), partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)  # leave no half-extracted folder behind
        raise
    finally:
        socket.setdefaulttimeout(previous_timeout)
    shutil.rmtree(destination, ignore_errors=True)
    os.replace(partial, destination)


def _first_available(urls: tuple[str, ...], dead_hosts: set[str]) -> tuple[str | None, list[str]]:
    """Probe ``urls`` in order and return the first one whose file is there.

    A host that gave no HTTP answer at all is added to ``dead_hosts`` and not asked again
    (so a machine without network waits at most one probe timeout per host).

    Returns:
        ``(url, failures)``: the first available address (None if none is), and one line
        per address that failed before it (``"HTTP 404 for <url>"``, ``"network error:..."``).
    """
    failures = []
    for url in urls:
        host = urllib.parse.urlsplit(url).hostname
        if host in dead_hosts:
            failures.append(f"skipped {url} ({host} did not answer)")
            continue
        status, why = _probe(url)
        if status in _PROBE_OK:
            return url, failures
        if status is None:
            dead_hosts.add(host)
        failures.append(why)
    return None, failures


def _fetch(
    name: str,
    archives: list[tuple[tuple[str, ...], str | None]],
    destination: Path,
    expected: Path,
    cache_dir: Path,
    allow_download: bool,
    verbose: bool,
) -> tuple[Path | None, str]:
    """Find a real dataset in the cache or download it.

    Args:
        name: dataset name for messages.
        archives: ``(urls, file_hash)`` pairs, one per archive to download; ``urls`` are
            the mirrors of that archive, tried in order (the first whose probe answers
            200/206 is used).
        destination: folder the archives are extracted into.
        expected: the folder that must exist once extraction is done.

    Returns:
        ``(expected, how)`` on success, ``(None, why_not)`` otherwise. Never raises for
        network or download problems: they become the ``why_not`` text, which names each
        failed address with its HTTP status or network error, or the hash mismatch.
    """
    if offline_requested():
        return None, f"{OFFLINE_ENV_VAR}={os.environ.get(OFFLINE_ENV_VAR)} is set"
    if expected.is_dir():
        return expected, f"{name} found in the cache at {expected}"
    if not allow_download:
        return None, f"allow_download=False and {name} is not in the cache ({expected})"
    chosen, notes, dead_hosts = [], [], set()
    for urls, file_hash in archives:
        url, failures = _first_available(tuple(urls), dead_hosts)
        notes += failures
        if url is None:
            return None, f"{name} cannot be downloaded: {'; '.join(failures)}"
        if failures and verbose:
            print(f"{'; '.join(failures)}; using the next mirror, {url}")
        chosen.append((url, file_hash))
    start = time.perf_counter()
    try:
        _download_and_extract(chosen, destination, cache_dir, verbose)
    except _HashMismatch as error:
        return None, f"downloading {name} failed: {error}"
    except Exception as error:  # network, disk or extraction failure -> fall back
        return None, (f"downloading {name} failed ({type(error).__name__}: {error}); check the "
                      "network connection and the free disk space, then run again")
    if not expected.is_dir():
        return None, f"{name} archive did not contain the expected folder {expected}"
    mirrors = f" (after {'; '.join(notes)})" if notes else ""
    return expected, (f"{name} downloaded in {time.perf_counter() - start:.0f} s to "
                      f"{expected}{mirrors}")
