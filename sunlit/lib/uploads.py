"""Uploaded files: cleaned before anything stores them, and stored alike.

`clean_upload` checks and cleans a file; `UploadBase` is the stored upload that finance
receipts, project documents and case attachments each extend with what it belongs to.

Cleaning keeps what the file is, and nothing more.

Only JPEG, PNG and WebP images and PDF documents are accepted, recognised by their
content (never by the file name or the browser's declared type, both of which the
uploader controls). Images are decoded and re-encoded from their pixels alone, so EXIF
(GPS position, camera serial, time), XMP, comments and any bytes appended after the image
are gone; the EXIF orientation is applied first so a phone photo stays upright. PDFs are
kept byte for byte: rewriting them would break signatures that scanned documents carry.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from sunlit.lib.errors import InvalidInput

# Pillow's format name → (MIME type, extension, save options).
IMAGE_FORMATS: dict[str, tuple[str, str, dict[str, object]]] = {
    "JPEG": ("image/jpeg", "jpg", {"quality": 88, "optimize": True}),
    "PNG": ("image/png", "png", {"optimize": True}),
    "WEBP": ("image/webp", "webp", {"quality": 85}),
}
PDF = ("application/pdf", "pdf")
# A PDF's %%EOF may be followed by a line ending or a little padding some scanners add.
PDF_TAIL_BYTES = 1024
# Pillow refuses images of more pixels than this (a "decompression bomb": a small file
# that expands to gigabytes in memory). 40 megapixels is above any phone camera.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CleanedFile:
    content: bytes
    content_type: str
    extension: str
    sha256: str  # of `content`, what is stored
    original_sha256: str  # of the bytes received, for the audit trail
    size: int


def max_upload_bytes() -> int:
    return int(settings.SUNLIT_MAX_UPLOAD_MB) * 1024 * 1024


def _refuse(filename: str) -> InvalidInput:
    return InvalidInput(
        _("%(name)s is not a JPEG, PNG or WebP image or a PDF document") % {"name": filename or _("The file")},
        field="file",
    )


def _clean_image(data: bytes, filename: str) -> tuple[bytes, str, str] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            fmt = probe.format
            if fmt not in IMAGE_FORMATS:
                return None
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidInput(
                    _("%(name)s has too many pixels (%(w)d × %(h)d)")
                    % {"name": filename, "w": probe.width, "h": probe.height},
                    field="file",
                )
            probe.verify()  # structure and checksums; the image must be reopened after
            image = Image.open(io.BytesIO(data))
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except (OSError, SyntaxError, ValueError) as e:
        # Recognised as an image but truncated or corrupt.
        raise InvalidInput(
            _("%(name)s looks like an image but cannot be read: %(error)s") % {"name": filename, "error": e},
            field="file",
        ) from e
    content_type, extension, options = IMAGE_FORMATS[fmt]
    upright = ImageOps.exif_transpose(image) or image
    # Only the pixels go on: a new image carries no info dict (EXIF, XMP, ICC, text chunks).
    mode = upright.mode
    if fmt == "JPEG":
        mode = "L" if mode in ("L", "1") else "RGB"
    elif mode not in ("RGB", "RGBA", "L", "LA"):
        mode = "RGBA" if "transparency" in upright.info or mode in ("PA", "RGBa") else "RGB"
    pixels = upright.convert(mode) if upright.mode != mode else upright
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    bare.save(out, format=fmt, **options)
    return out.getvalue(), content_type, extension


def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-PDF_TAIL_BYTES:]


def clean_upload(*, data: bytes, filename: str, max_bytes: int | None = None) -> CleanedFile:
    """Check and clean one uploaded file; InvalidInput (with the reason) if refused."""
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if not data:
        raise InvalidInput(_("%(name)s is empty") % {"name": filename or _("The file")}, field="file")
    if len(data) > limit:
        raise InvalidInput(
            _("%(name)s is %(size).1f MB; the limit is %(limit).1f MB")
            % {"name": filename, "size": len(data) / 1024 / 1024, "limit": limit / 1024 / 1024},
            field="file",
        )
    original_sha256 = hashlib.sha256(data).hexdigest()
    if _is_pdf(data):
        return CleanedFile(
            content=data,
            content_type=PDF[0],
            extension=PDF[1],
            sha256=original_sha256,
            original_sha256=original_sha256,
            size=len(data),
        )
    image = _clean_image(data, filename)
    if image is None:
        raise _refuse(filename)
    content, content_type, extension = image
    return CleanedFile(
        content=content,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(content).hexdigest(),
        original_sha256=original_sha256,
        size=len(content),
    )


def upload_path(instance: UploadBase, filename: str) -> str:
    # Under the model's folder, spread over 256 subfolders by the content's hash.
    return f"{instance.upload_dir}/{instance.sha256[:2]}/{filename}"


class UploadBase(models.Model):
    """A file as `clean_upload` left it, stored: its bytes, what they are (by content),
    their hash and size, the name it came with, who uploaded it and when. A concrete
    upload adds what it belongs to (a voucher, a project, a case) and its `upload_dir`."""

    # The storage folder of this kind of upload (see upload_path).
    upload_dir: ClassVar[str] = "uploads"

    file = models.FileField(gettext_lazy("file"), upload_to=upload_path, max_length=200)
    # Found from the content (CleanedFile.content_type), never from the browser.
    content_type = models.CharField(max_length=60)
    # Of the stored bytes: a cleaned image's hash differs from the uploaded one's.
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    original_name = models.CharField(gettext_lazy("file name"), max_length=200, blank=True)
    # Empty for files brought in without a person (the demo, imports run by an operator).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        abstract = True

    @classmethod
    def from_cleaned(cls, cleaned: CleanedFile, *, filename: str, by: Any, **fields: Any) -> Self:
        """A new upload (not yet saved) of `cleaned`: the shared fields filled in one place,
        its bytes stored under their hash unless `file` is given, and a thumbnail for an
        image when the model keeps one."""
        upload = cls(
            content_type=cleaned.content_type,
            sha256=cleaned.sha256,
            size=cleaned.size,
            original_name=(filename or "")[-200:],
            uploaded_by=by if getattr(by, "is_authenticated", False) else None,
            uploaded_at=fields.pop("uploaded_at", None) or timezone.now(),
            **fields,
        )
        if "file" not in fields:
            upload.file.save(f"{cleaned.sha256}.{cleaned.extension}", ContentFile(cleaned.content), save=False)
        thumbnail_field = getattr(upload, "thumbnail", None)
        if thumbnail_field is not None and cleaned.content_type.startswith("image/"):
            thumb = thumbnail(cleaned.content)
            if thumb is not None:
                thumbnail_field.save(f"{cleaned.sha256}.thumb.jpg", ContentFile(thumb), save=False)
        return upload


THUMBNAIL_SIZE = (320, 320)


def thumbnail(content: bytes) -> bytes | None:
    """A small JPEG of an image, for lists of receipts and documents; None if it is not one."""
    try:
        image = Image.open(io.BytesIO(content))
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=75, optimize=True)
    except OSError:
        return None
    return out.getvalue()
