"""Pillow renders each gift's 1200×630 card (link previews) and its QR code, once.

The card shows the cover, the product photo, the sender's name and the message: never the price.
Chinese text needs a CJK font: settings.CARD_FONT_PATHS lists where to look (the project ships a
GB2312 subset of Noto Sans CJK SC in gifts/fonts/, OFL; a system Noto CJK is the fallback).
"""

import io
import re
from functools import lru_cache
from pathlib import Path

import qrcode
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

from gifts.covers import cover_for

WIDTH, HEIGHT = 1200, 630


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False):
    for path in settings.CARD_FONT_PATHS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(str(path), size, index=0)
            except OSError:
                continue
    return ImageFont.load_default(size=size)


def _gradient(top, bottom):
    base = Image.new("RGB", (WIDTH, HEIGHT), top)
    mask = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    return Image.composite(Image.new("RGB", (WIDTH, HEIGHT), bottom), base, mask)


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_TOKENS = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+\s*|\s+")


def _wrap(draw, text, font, width, max_lines):
    """Greedy wrap by measured width: a CJK character or a Latin word (with its space) is a unit."""
    lines, current = [], ""
    tokens = _TOKENS.findall(" ".join(text.split()))
    for index, token in enumerate(tokens):
        if draw.textlength((current + token).rstrip(), font=font) <= width or not current:
            current += token
            continue
        lines.append(current.rstrip())
        current = token.lstrip()
        if len(lines) == max_lines:
            current = ""
            if index < len(tokens):
                last = lines[-1]
                while last and draw.textlength(last + "…", font=font) > width:
                    last = last[:-1]
                lines[-1] = last + "…"
            break
    if current and len(lines) < max_lines:
        lines.append(current.rstrip())
    return lines


def render_card(*, sender_name: str, message: str, product_title: str, cover_code: str, photo=None) -> bytes:
    """The card's PNG. `photo` is an open file (read through the storage API, so it works on object
    storage too) or None."""
    cover = cover_for(cover_code)
    img = _gradient(cover.top, cover.bottom)
    draw = ImageDraw.Draw(img)
    # The red-packet flap and seal.
    draw.ellipse((-200, -520, WIDTH + 200, 170), fill=cover.bottom, outline=cover.accent, width=6)
    draw.ellipse((90, 40, 230, 180), fill=cover.accent)
    draw.text((160, 110), cover.emblem if len(cover.emblem) == 1 and cover.emblem.isalpha() else "礼",
              font=_font(80), fill=cover.bottom, anchor="mm")
    # The product photo on a white card.
    box = (760, 150, 1120, 510)
    draw.rounded_rectangle((box[0] - 12, box[1] - 12, box[2] + 12, box[3] + 12), radius=28, fill=(255, 255, 255))
    if photo is not None:
        try:
            with Image.open(photo) as picture:
                picture = ImageOps.fit(picture.convert("RGB"), (box[2] - box[0], box[3] - box[1]))
                img.paste(picture, box[:2])
        except OSError:
            pass
    title_font, body_font, small_font = _font(52), _font(38), _font(32)
    y = 210
    for line in _wrap(draw, _("%(name)s sent you a gift") % {"name": sender_name[:30]}, title_font, 620, 2):
        draw.text((90, y), line, font=title_font, fill=cover.text)
        y += 64
    y += 16
    for line in _wrap(draw, message or _("A little something for you."), body_font, 620, 4 if y < 300 else 3):
        draw.text((90, y), line, font=body_font, fill=cover.text)
        y += 50
    draw.text((90, 560), _wrap(draw, product_title, small_font, 620, 1)[0] if product_title else "", font=small_font,
              fill=cover.accent)
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def render_qr(url: str) -> bytes:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(out, "PNG")
    return out.getvalue()
