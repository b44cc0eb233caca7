"""Where uploaded files live: a content-addressed folder under the data directory.

Owns: `<data dir>/files/<first two hex digits>/<sha256>` for each accepted file and
`<data dir>/files/thumbs/…/<sha256>.jpg` for photo thumbnails. A file is written to a temporary
name and renamed into place, so a crash never leaves half a file under its hash; the same bytes
uploaded twice are kept once. A file whose database row never committed stays on disk unseen
(nothing lists files by folder); `anju` never deletes files, so rows that share one stay valid.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def thumbnail_path(self, sha256: str) -> Path:
        return self.root / "thumbs" / sha256[:2] / f"{self.path(sha256).name}.jpg"

    def put(self, sha256: str, data: bytes) -> None:
        _write_once(self.path(sha256), data)

    def put_thumbnail(self, sha256: str, data: bytes) -> None:
        _write_once(self.thumbnail_path(sha256), data)

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def get_thumbnail(self, sha256: str) -> bytes | None:
        path = self.thumbnail_path(sha256)
        return path.read_bytes() if path.is_file() else None


def _write_once(target: Path, data: bytes) -> None:
    if target.is_file() and target.stat().st_size == len(data):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
