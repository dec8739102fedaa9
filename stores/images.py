"""Product photos: verify, re-encode without metadata, and make a thumbnail.

Accepts JPEG, PNG and WebP up to settings.IMAGE_MAX_BYTES. A non-image, a truncated file or a
decompression bomb raises InvalidImage (400 invalid_image); a larger file raises PayloadTooLarge
(413). Nothing is stored until the whole file has been decoded.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from giftshop.errors import InvalidInput, PayloadTooLarge

FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
MAX_SIDE = 2000
THUMB_SIDE = 480


class InvalidImage(InvalidInput):
    code = "invalid_image"
    default_detail = _("Upload a JPEG, PNG or WebP photo.")

    def __init__(self, detail=None):
        super().__init__(detail, fields={"image": [str(detail or self.default_detail)]})


@dataclass
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _encode(img, fmt):
    out = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "PNG":
        img.save(out, "PNG", optimize=True)
    else:
        img.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def process_upload(upload) -> ProcessedImage:
    """Return re-encoded photo and thumbnail files, named at random, from an uploaded file."""
    if upload is None:
        raise InvalidImage(_("Choose a photo to upload."))
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMAGE_MAX_BYTES:
        raise PayloadTooLarge(_("Photos can be at most 5 MB."))
    data = upload.read(settings.IMAGE_MAX_BYTES + 1)
    if len(data) > settings.IMAGE_MAX_BYTES:
        raise PayloadTooLarge(_("Photos can be at most 5 MB."))
    if not data:
        raise InvalidImage(_("The file is empty."))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            # Phone cameras write multi-picture JPEGs, which Pillow reports as MPO: keep the first picture.
            fmt = "JPEG" if probe.format == "MPO" else probe.format
            if fmt not in FORMATS:
                raise InvalidImage()
            if probe.width * probe.height > settings.IMAGE_MAX_PIXELS:
                raise InvalidImage(_("The photo has too many pixels."))
            probe.verify()  # structure check; the object is unusable afterwards
            img = Image.open(io.BytesIO(data))
            img.load()  # full decode: a truncated file fails here
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidImage(_("The photo has too many pixels.")) from None
    except Exception:  # noqa: BLE001 - Pillow raises many types for broken input
        raise InvalidImage(_("This file is not a photo we can read.")) from None

    try:
        upright = ImageOps.exif_transpose(img)  # keep the orientation, then drop all metadata
    except Exception:  # noqa: BLE001 - a broken EXIF block (SyntaxError, struct.error...): kept unrotated
        upright = img
    img = upright
    if img.mode not in ("RGB", "RGBA", "L", "LA"):
        img = img.convert("RGBA" if "A" in img.getbands() or img.mode == "P" else "RGB")
    img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean = Image.new(img.mode, img.size)
    clean.paste(img)
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)

    ext, _mime = FORMATS[fmt]
    name = uuid.uuid4().hex
    return ProcessedImage(
        image=ContentFile(_encode(clean, fmt), name=f"{name}.{ext}"),
        thumbnail=ContentFile(_encode(thumb, fmt), name=f"{name}_thumb.{ext}"),
        width=clean.width,
        height=clean.height,
    )
