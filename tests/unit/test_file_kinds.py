"""Uploaded files are judged by their bytes: kinds, limits named in the refusal, images decoded."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image, ImageFile

from anju.files import kinds
from anju.files.kinds import FileRefused, Limits


def picture(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **save)
    return out.getvalue()


def office(member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (picture("JPEG"), kinds.JPEG),
        (picture("PNG"), kinds.PNG),
        (picture("WEBP"), kinds.WEBP),
        (b"%PDF-1.7\n%...", kinds.PDF),
        (office("word/document.xml"), kinds.DOCX),
        (office("xl/workbook.xml"), kinds.XLSX),
    ],
)
def test_each_accepted_kind_is_recognised_from_its_bytes(data: bytes, kind: kinds.Kind) -> None:
    checked = kinds.check(data, Limits())
    assert checked.kind == kind
    assert checked.size == len(data)
    assert len(checked.sha256) == 64


def test_a_photo_knows_its_pixels() -> None:
    checked = kinds.check(picture(size=(640, 480)), Limits())
    assert (checked.width, checked.height) == (640, 480)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "空"),
        (b"MZ\x90\x00 an executable", "不支持的文件类型"),
        (b"<html><script>alert(1)</script></html>", "不支持的文件类型"),
        (office("other/thing.xml"), "不支持的文件类型"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "HEIC"),
    ],
)
def test_other_files_are_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(FileRefused, match=reason):
        kinds.check(data, Limits())


def test_a_photo_over_the_photo_limit_is_refused_though_a_document_that_size_is_not() -> None:
    limits = Limits(photo_bytes=1024 * 1024, document_bytes=3 * 1024 * 1024)
    pdf = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    assert kinds.check(pdf, limits).kind == kinds.PDF
    noisy = Image.effect_noise((700, 700), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert limits.photo_bytes < len(out.getvalue()) < limits.document_bytes
    with pytest.raises(FileRefused, match=r"照片太大.*上限 1 MB"):
        kinds.check(out.getvalue(), limits)
    with pytest.raises(FileRefused, match=r"文件太大.*上限 3 MB"):
        kinds.check(b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024), limits)


def test_photos_only_refuses_a_document() -> None:
    with pytest.raises(FileRefused, match="只接受照片"):
        kinds.check(b"%PDF-1.4\n", Limits(), photos_only=True)


@pytest.mark.parametrize("lenient", [False, True])
def test_a_truncated_photo_is_refused(lenient: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # WeasyPrint sets LOAD_TRUNCATED_IMAGES on import; the check must not depend on it
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient)
    whole = picture("JPEG", size=(400, 300))
    with pytest.raises(FileRefused, match="损坏"):
        kinds.check(whole[: len(whole) // 2], Limits())
    assert lenient == ImageFile.LOAD_TRUNCATED_IMAGES  # left as it was


def test_too_many_pixels_are_refused_before_decoding() -> None:
    with pytest.raises(FileRefused, match=r"像素过多.*1-megapixel"):
        kinds.check(picture("PNG", size=(1200, 1000)), Limits(max_pixels=1_000_000))


def test_a_thumbnail_is_small_upright_and_without_metadata() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; the picture must be rotated 90°
    exif[0x010F] = "某品牌手机"
    photo = picture("JPEG", size=(800, 400), exif=exif.tobytes())
    thumb = Image.open(io.BytesIO(kinds.thumbnail(photo, Limits())))
    assert thumb.format == "JPEG"
    assert thumb.size == (160, 320)  # upright: taller than wide, the long side 320
    assert not thumb.getexif()


def test_a_transparent_png_thumbnail_is_on_white() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, "PNG")
    thumb = Image.open(io.BytesIO(kinds.thumbnail(out.getvalue(), Limits())))
    assert thumb.getpixel((25, 25)) == (255, 255, 255)


def test_a_macro_enabled_office_file_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
        archive.writestr("word/vbaProject.bin", b"\x00macro")
    with pytest.raises(FileRefused, match="含宏"):
        kinds.check(out.getvalue(), Limits())
