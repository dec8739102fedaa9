"""Fuzzing the photo upload's validation (stores.images.process_upload): whatever file comes in,
under whatever name and content type, it returns a ProcessedImage or raises InvalidImage or
PayloadTooLarge (the 400 and 413 the API and the console answer). No Pillow error, OSError,
SyntaxError, struct.error, ValueError or DecompressionBomb* escapes, from the decode or from what
follows it (EXIF orientation, mode conversion, re-encoding).

An accepted photo is re-encoded in the format of its content (never of its file name), within
the documented sides."""

import io
import struct
import zlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from giftshop.errors import PayloadTooLarge
from stores.images import FORMATS, MAX_SIDE, THUMB_SIDE, InvalidImage, ProcessedImage, process_upload
from tests.fuzz_inputs import fuzz_settings

FUZZ = fuzz_settings(60)
# Pillow warns about each broken EXIF block it reads past: expected here, thousands of times.
pytestmark = pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
NAMES = st.sampled_from(["photo.jpg", "photo.png", "photo.webp", "photo.svg", "photo.html", "photo", "photo.exe",
                         "../../etc/passwd", "照片.jpeg", ".png"])
CONTENT_TYPES = st.sampled_from(["image/jpeg", "image/png", "image/svg+xml", "text/html", "application/octet-stream"])


def picture(fmt, mode, size, exif=None) -> bytes:
    img = Image.new(mode, size)
    if mode in ("RGB", "RGBA", "L", "P"):
        img.putpixel((0, 0), 7 if mode in ("L", "P") else (7,) * len(mode))
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def png_header(width, height, bit_depth=8, color_type=2) -> bytes:
    """A PNG whose header claims `width` x `height` and whose data is a few bytes: a decompression
    bomb's header without its payload."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


def jpeg_header(width, height) -> bytes:
    """A real little JPEG with its frame header rewritten to claim `width` x `height`."""
    data = bytearray(picture("JPEG", "RGB", (8, 8)))
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def processed(data, name="photo.jpg", content_type="image/jpeg"):
    """process_upload's answer, or None for its own refusal; any other exception fails the test."""
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    try:
        result = process_upload(upload)
    except (InvalidImage, PayloadTooLarge):
        return None
    assert isinstance(result, ProcessedImage)
    assert 0 < result.width <= MAX_SIDE and 0 < result.height <= MAX_SIDE
    formats = set()
    for file, side in ((result.image, MAX_SIDE), (result.thumbnail, THUMB_SIDE)):
        file.seek(0)
        reopened = Image.open(io.BytesIO(file.read()))
        reopened.load()
        assert max(reopened.size) <= side
        assert file.name.endswith("." + FORMATS[reopened.format][0])
        formats.add(reopened.format)
    assert len(formats) == 1
    return formats.pop()


SAVABLE = [  # (format, mode) pairs Pillow writes
    ("PNG", "RGB"), ("PNG", "RGBA"), ("PNG", "L"), ("PNG", "LA"), ("PNG", "P"), ("PNG", "1"),
    ("PNG", "I;16"), ("JPEG", "RGB"), ("JPEG", "L"), ("JPEG", "CMYK"), ("WEBP", "RGB"), ("WEBP", "RGBA"),
    ("GIF", "P"), ("BMP", "RGB"), ("TIFF", "RGB"), ("TIFF", "F"), ("ICO", "RGBA"), ("PPM", "RGB"), ("TGA", "RGB"),
]
sides = st.integers(1, 48)
real_pictures = st.builds(lambda fm, w, h: (fm[0], picture(fm[0], fm[1], (w, h))), st.sampled_from(SAVABLE),
                          sides, sides)
exif_blobs = st.one_of(
    st.binary(max_size=60).map(lambda b: b"Exif\x00\x00" + b),
    st.binary(max_size=60).map(lambda b: b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + b),
    st.binary(max_size=60).map(lambda b: b"Exif\x00\x00II\x2a\x00\x08\x00\x00\x00" + b),
    # One IFD entry: Orientation (0x0112), SHORT, count 1, any value.
    st.integers(0, 2**16 - 1).map(lambda v: b"Exif\x00\x00II\x2a\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00"
                                  + b"\x01\x00\x00\x00" + struct.pack("<H", v) + b"\x00\x00\x00\x00\x00\x00"),
)


@FUZZ
@given(data=st.binary(max_size=400), name=NAMES, content_type=CONTENT_TYPES)
def test_random_bytes(data, name, content_type):
    processed(data, name, content_type)


@FUZZ
@given(real=real_pictures, name=NAMES)
def test_real_pictures_of_every_kind_keep_the_format_of_their_content(real, name):
    fmt, data = real
    kept = processed(data, name=name)
    if fmt in FORMATS:
        assert kept == fmt, f"a {fmt} named {name} came back as {kept}"
    else:
        assert kept is None, f"{fmt} is not a format we accept"


@FUZZ
@given(real=real_pictures, cut=st.floats(0, 1, exclude_max=True), flips=st.lists(
    st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=4))
def test_truncated_and_corrupted_pictures(real, cut, flips):
    data = bytearray(real[1])
    for where, value in flips:
        data[int(where * len(data))] = value
    processed(bytes(data[: max(1, int(cut * len(data)))] if cut else data))


@FUZZ
@given(fmt=st.sampled_from(["JPEG", "PNG", "WEBP"]), exif=exif_blobs)
@example(fmt="PNG", exif=b"Exif\x00\x00\x00")  # found: exif_transpose raised SyntaxError (a 500)
@example(fmt="WEBP", exif=b"Exif\x00\x00\x00")
def test_pictures_with_any_exif(fmt, exif):
    """EXIF is read after the decode (the orientation): a broken one must not escape from there."""
    try:
        data = picture(fmt, "RGB", (9, 5), exif=exif)
    except (ValueError, OSError, SyntaxError):  # Pillow would not even write it
        return
    processed(data)


@FUZZ
@given(width=st.integers(0, 2**31 - 1), height=st.integers(0, 2**31 - 1), fmt=st.sampled_from(["PNG", "JPEG"]))
@example(width=20_000, height=20_000, fmt="PNG")  # 400 million pixels: DecompressionBombError in Image.open
@example(width=10_000, height=9_000, fmt="PNG")  # 90 million: the DecompressionBombWarning, made an error
@example(width=7_000, height=6_000, fmt="PNG")  # 42 million: past IMAGE_MAX_PIXELS
@example(width=65_535, height=65_535, fmt="JPEG")
@example(width=0, height=0, fmt="PNG")
def test_decompression_bomb_sized_headers(width, height, fmt):
    if fmt == "JPEG":
        width, height = width % 65_536, height % 65_536
    data = png_header(width, height) if fmt == "PNG" else jpeg_header(width, height)
    kept = processed(data, name="bomb.png")
    assert kept is None or width * height <= settings.IMAGE_MAX_PIXELS, "a picture past the pixel limit was kept"


@FUZZ
@given(doc=st.sampled_from([
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
    b"<html><body onload=alert(1)>hi</body></html>",
    b"GIF89a<script>alert(1)</script>",
    b"\x89PNG\r\n\x1a\n<html>",
    b"\xff\xd8\xff\xe0<svg/onload=alert(1)>",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
]), name=NAMES, content_type=CONTENT_TYPES)
def test_svg_html_and_polyglots_are_refused(doc, name, content_type):
    assert processed(doc, name, content_type) is None


def test_a_real_photo_still_passes():
    """The fuzz's own footing: a plain JPEG named .png is accepted, and stays a JPEG."""
    assert processed(picture("JPEG", "RGB", (40, 30)), name="photo.png", content_type="image/png") == "JPEG"
