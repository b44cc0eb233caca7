"""What an uploaded file is, judged from its bytes, and whether Anju keeps it.

Owns: the kinds of file accepted (photos: JPEG, PNG, WebP; documents: PDF, Word .docx, Excel
.xlsx), the size and pixel limits, the image check (Pillow decodes the whole picture, so a
truncated or disguised file is refused) and thumbnails (EXIF rotation applied, metadata such as
GPS dropped). The file name and the browser's content type are never trusted. Imports nothing
from `anju.db` or `anju.services`.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps

MIB = 1024 * 1024


class FileRefused(ValueError):
    """The file is not kept; the message names the reason (and the limit, if one was hit)."""


@dataclass(frozen=True)
class Kind:
    media_type: str
    extension: str
    label: str
    image: bool


JPEG = Kind("image/jpeg", ".jpg", "JPEG", True)
PNG = Kind("image/png", ".png", "PNG", True)
WEBP = Kind("image/webp", ".webp", "WebP", True)
PDF = Kind("application/pdf", ".pdf", "PDF", False)
OOXML = "application/vnd.openxmlformats-officedocument"
DOCX = Kind(f"{OOXML}.wordprocessingml.document", ".docx", "Word", False)
XLSX = Kind(f"{OOXML}.spreadsheetml.sheet", ".xlsx", "Excel", False)
KINDS = (JPEG, PNG, WEBP, PDF, DOCX, XLSX)
PILLOW_FORMATS = {"JPEG": JPEG, "PNG": PNG, "WEBP": WEBP}


@dataclass(frozen=True)
class Limits:
    photo_bytes: int = 10 * MIB
    document_bytes: int = 20 * MIB
    max_pixels: int = 50_000_000  # a 50-megapixel photo; more is refused before decoding
    thumbnail_side: int = 320


@dataclass(frozen=True)
class Checked:
    kind: Kind
    sha256: str
    size: int
    width: int | None = None
    height: int | None = None


ACCEPTED = "JPEG, PNG, WebP, PDF, Word (.docx), Excel (.xlsx)"


def identify(data: bytes) -> Kind:
    """The kind of file `data` is, from its first bytes (and an Office file's parts)."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        office = _office_kind(data)
        if office is not None:
            return office
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        raise FileRefused(
            "HEIC 照片无法在所有设备上显示, 请在手机上导出为 JPEG 后再上传 "
            "(HEIC photos are not accepted: export as JPEG)"
        )
    raise FileRefused(f"不支持的文件类型, 仅接受 {ACCEPTED} (unsupported file type)")


def _office_kind(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if any(name.endswith("vbaProject.bin") for name in names):
        raise FileRefused("含宏的 Office 文件不接受, 请另存为 .docx / .xlsx (macro-enabled files)")
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def check(data: bytes, limits: Limits, photos_only: bool = False) -> Checked:
    """Accept `data` as one of the kinds, within its limit, or raise `FileRefused`."""
    if not data:
        raise FileRefused("文件是空的 (the file is empty)")
    # the larger limit first, so nothing bigger is even sniffed
    if len(data) > limits.document_bytes:
        raise FileRefused(_too_big(len(data), limits.document_bytes, "文件"))
    kind = identify(data)
    if photos_only and not kind.image:
        raise FileRefused(f"此处只接受照片 (JPEG, PNG, WebP), 不接受 {kind.label} (photos only)")
    digest = hashlib.sha256(data).hexdigest()
    if not kind.image:
        return Checked(kind, digest, len(data))
    if len(data) > limits.photo_bytes:
        raise FileRefused(_too_big(len(data), limits.photo_bytes, "照片"))
    width, height = _verified_image(data, kind, limits)
    return Checked(kind, digest, len(data), width, height)


def _too_big(size: int, limit: int, what: str) -> str:
    return (
        f"{what}太大: {size / MIB:.1f} MB, 上限 {limit // MIB} MB "
        f"(larger than the {limit // MIB} MB limit)"
    )


def _verified_image(data: bytes, kind: Kind, limits: Limits) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if PILLOW_FORMATS.get(image.format or "") != kind:
                raise FileRefused(f"文件内容不是 {kind.label} 图片 (not a {kind.label} image)")
            width, height = image.size
            if width * height > limits.max_pixels:
                mega = limits.max_pixels // 1_000_000
                raise FileRefused(
                    f"照片像素过多: {width}×{height}, 上限 {mega} 百万像素 "
                    f"(more than the {mega}-megapixel limit)"
                )
            _load_strictly(image)
    except FileRefused:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise FileRefused(f"图片已损坏或无法读取 (damaged or unreadable image: {exc})") from exc
    return width, height


_STRICT = threading.Lock()


def _load_strictly(image: Image.Image) -> None:
    """Decode every pixel, failing on a truncated or corrupt picture. WeasyPrint, once imported,
    tells Pillow to accept truncated files (a process-wide flag): turn that off meanwhile."""
    with _STRICT:
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def thumbnail(data: bytes, limits: Limits) -> bytes:
    """A JPEG at most `thumbnail_side` pixels on its longer side, turned upright, no metadata."""
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((limits.thumbnail_side, limits.thumbnail_side))
        if upright.mode not in ("RGB", "L"):
            upright = _on_white(upright)
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=80, optimize=True)
        return out.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
