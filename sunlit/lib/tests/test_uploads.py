"""Uploads are recognised by their content, and images lose everything but their pixels."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from PIL import Image

from sunlit.cases.models import Attachment
from sunlit.finance.models import Receipt
from sunlit.lib.errors import InvalidInput
from sunlit.lib.uploads import UploadBase, clean_upload, upload_path
from sunlit.projects.models import Document

GPS_IFD = 0x8825
ORIENTATION = 0x0112
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages are asserted in English; Chinese is the deployed default."""
    with translation.override("en"):
        yield


def jpeg_with_gps(size: tuple[int, int] = (40, 20), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "camera firmware"  # Software
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (27.0, 42.0, 0.0), 3: "E", 4: (111.0, 40.0, 0.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"taken at home")
    return out.getvalue()


def png(mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "王建国")
    Image.new(mode, (8, 8)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def test_it_removes_gps_and_every_other_exif_tag_from_a_jpeg() -> None:
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    cleaned = clean_upload(data=data, filename="photo.jpg")
    image = Image.open(io.BytesIO(cleaned.content))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert not image.getexif().get_ifd(GPS_IFD)
    assert b"taken at home" not in cleaned.content and b"PhoneMaker" not in cleaned.content
    assert (cleaned.content_type, cleaned.extension) == ("image/jpeg", "jpg")
    assert cleaned.original_sha256 == hashlib.sha256(data).hexdigest()
    assert cleaned.sha256 == hashlib.sha256(cleaned.content).hexdigest() != cleaned.original_sha256
    assert cleaned.size == len(cleaned.content)


def test_it_applies_the_orientation_before_dropping_it() -> None:
    # Orientation 6: the camera was turned; the stored pixels are 40 wide, shown 20 wide.
    cleaned = clean_upload(data=jpeg_with_gps((40, 20), orientation=6), filename="turned.jpg")
    assert Image.open(io.BytesIO(cleaned.content)).size == (20, 40)


def test_it_detects_a_png_named_pdf_as_a_png() -> None:
    cleaned = clean_upload(data=png(), filename="scan.pdf")
    assert (cleaned.content_type, cleaned.extension) == ("image/png", "png")
    assert b"Author" not in cleaned.content


@pytest.mark.parametrize("mode", ["P", "RGBA", "L", "LA", "1", "I;16"])
def test_it_keeps_a_png_of_any_mode_readable(mode: str) -> None:
    image = Image.open(io.BytesIO(clean_upload(data=png(mode), filename="x.png").content))
    assert image.format == "PNG" and image.size == (8, 8)


def test_it_keeps_a_cmyk_jpeg_from_a_scanner_readable() -> None:
    out = io.BytesIO()
    Image.new("CMYK", (8, 8)).save(out, format="JPEG")
    image = Image.open(io.BytesIO(clean_upload(data=out.getvalue(), filename="scan.jpg").content))
    assert image.format == "JPEG" and image.mode == "RGB"


def test_it_refuses_a_decompression_bomb() -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 megapixels in a few kilobytes
    with pytest.raises(InvalidInput, match="too many pixels"):
        clean_upload(data=out.getvalue(), filename="bomb.png")


def test_it_accepts_webp() -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 0)).save(out, format="WEBP")
    cleaned = clean_upload(data=out.getvalue(), filename="x.bin")
    assert (cleaned.content_type, cleaned.extension) == ("image/webp", "webp")


def test_it_keeps_a_pdf_byte_for_byte() -> None:
    cleaned = clean_upload(data=PDF, filename="minutes.PDF")
    assert cleaned.content == PDF
    assert (cleaned.content_type, cleaned.extension) == ("application/pdf", "pdf")
    assert cleaned.sha256 == cleaned.original_sha256


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg"),
        (b"%PDF-1.4 but never ends", "truncated.pdf"),
        (b"MZ\x90\x00 executable", "minutes.pdf"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif"),
    ],
)
def test_it_refuses_anything_else_by_its_content(data: bytes, name: str) -> None:
    with pytest.raises(InvalidInput, match="is not a JPEG, PNG or WebP image or a PDF document"):
        clean_upload(data=data, filename=name)


def test_it_refuses_a_gif_even_though_pillow_reads_it() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    with pytest.raises(InvalidInput):
        clean_upload(data=out.getvalue(), filename="x.png")


def test_it_refuses_a_truncated_image_with_a_clear_message() -> None:
    with pytest.raises(InvalidInput, match="cannot be read"):
        clean_upload(data=jpeg_with_gps()[:200], filename="cut.jpg")


def test_it_refuses_an_empty_file() -> None:
    with pytest.raises(InvalidInput, match="is empty"):
        clean_upload(data=b"", filename="nothing.pdf")


def test_it_refuses_a_file_over_the_limit(settings: Any) -> None:
    settings.SUNLIT_MAX_UPLOAD_MB = 1
    big = PDF[:-7] + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(InvalidInput, match=r"the limit is 1\.0 MB"):
        clean_upload(data=big, filename="big.pdf")
    assert clean_upload(data=PDF, filename="small.pdf", max_bytes=len(PDF)).size == len(PDF)
    with pytest.raises(InvalidInput):
        clean_upload(data=PDF, filename="small.pdf", max_bytes=len(PDF) - 1)


@pytest.mark.parametrize("model", [Receipt, Document, Attachment], ids=lambda m: m.__name__)
def test_it_stores_receipts_documents_and_attachments_with_one_set_of_upload_fields(model: type[UploadBase]) -> None:
    assert issubclass(model, UploadBase)
    shared = {f.name: f.deconstruct()[1:] for f in UploadBase._meta.fields}
    mine = {f.name: f.deconstruct()[1:] for f in model._meta.fields if f.name in shared}
    # The same columns everywhere, but that a case attachment always names its uploader.
    differ = {name for name in shared if mine[name] != shared[name]}
    assert differ == ({"uploaded_by"} if model is Attachment else set())


def test_it_files_an_upload_under_its_kind_and_hash() -> None:
    receipt = Receipt(sha256="ab" + "0" * 62)
    document = Document(sha256="cd" + "0" * 62)
    assert upload_path(receipt, "x.jpg") == "finance/receipts/ab/x.jpg"
    assert upload_path(document, "y.pdf") == "projects/documents/cd/y.pdf"
