"""Product illustrations for the demo shop, drawn with Pillow (no files shipped, nothing fetched).

`draw_product(kind, palette, label, view)` returns JPEG bytes of a square picture: a soft gradient
backdrop, the object (a tea tin, a tea cake, cups, a tray, a gift box, a teapot, a pouch or a jar of
pearls) and a small paper label. `view` 0 is the object alone, 1 adds scattered tea leaves, 2 is a
close-up of leaves on a card with the label.
"""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = 800
SCALE = 2  # drawn at twice the size, then reduced: smooth edges without anti-aliasing support
S = SIZE * SCALE


def _hex(color):
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))


def _mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _darker(color, t=0.25):
    return _mix(color, (0, 0, 0), t)


def _lighter(color, t=0.35):
    return _mix(color, (255, 255, 255), t)


def _gradient(size, top, bottom, horizontal=False):
    """A two-colour linear gradient, built from Pillow's 256-step ramp."""
    ramp = Image.linear_gradient("L")
    if horizontal:
        ramp = ramp.rotate(90, expand=True)
    ramp = ramp.resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)


def _shadow(img, box, blur=40):
    """A soft elliptic shadow under an object standing on the `box` footprint."""
    small = 4  # blurred at a quarter of the size: the same look, a fraction of the time
    layer = Image.new("L", (img.width // small, img.height // small), 0)
    ImageDraw.Draw(layer).ellipse([v / small for v in box], fill=90)
    layer = layer.filter(ImageFilter.GaussianBlur(blur / small)).resize(img.size, Image.Resampling.BILINEAR)
    img.paste((40, 30, 20), (0, 0), layer)


def _shaded_rect(img, box, color, radius=0):
    """A vertical body lit from the left: a horizontal gradient clipped to a rounded rectangle."""
    x0, y0, x1, y1 = (round(v) for v in box)
    body = _gradient((x1 - x0, y1 - y0), _lighter(color, 0.25), _darker(color, 0.3), horizontal=True)
    mask = Image.new("L", body.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, body.width - 1, body.height - 1), radius=radius, fill=255)
    img.paste(body, (x0, y0), mask)


def _font(size):
    return ImageFont.load_default(size=size)


def _label(draw, center, text, paper, ink, width=None, size=64):
    font = _font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w = width or (right - left) + size * 1.6
    h = (bottom - top) + size * 1.1
    cx, cy = center
    box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    draw.rounded_rectangle(box, radius=size * 0.35, fill=paper, outline=_darker(paper, 0.2), width=4)
    draw.text((cx, cy), text, font=font, fill=ink, anchor="mm")


def _leaf(color, length, angle):
    """One tea leaf (two arcs and a vein) on a transparent tile, rotated."""
    w = max(8, int(length * 0.42))
    tile = Image.new("RGBA", (length, w), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    draw.ellipse((0, 0, length - 1, w - 1), fill=color + (255,))
    draw.line((length * 0.08, w / 2, length * 0.92, w / 2), fill=_lighter(color, 0.3) + (255,), width=max(2, w // 12))
    return tile.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)


def _scatter_leaves(img, rng, color, count, area, size=(90, 180)):
    x0, y0, x1, y1 = area
    for _ in range(count):
        leaf = _leaf(_mix(color, (rng.randint(0, 60),) * 3, 0.3), rng.randint(*size), rng.uniform(0, 360))
        img.paste(leaf, (rng.randint(x0, x1), rng.randint(y0, y1)), leaf)


# --- the objects ------------------------------------------------------------------------------

def _tin(img, draw, p, label):
    w, h = S * 0.36, S * 0.46
    x0, y1 = S / 2 - w / 2, S * 0.8
    y0 = y1 - h
    _shadow(img, (x0 - 40, y1 - 50, x0 + w + 40, y1 + 60))
    _shaded_rect(img, (x0, y0, x0 + w, y1), p["main"], radius=24)
    lid = (x0 - 12, y0 - 40, x0 + w + 12, y0 + 60)
    _shaded_rect(img, lid, p["accent"], radius=20)
    draw.ellipse((x0 - 12, y0 - 70, x0 + w + 12, y0 - 10), fill=_lighter(p["accent"], 0.2))
    draw.rectangle((x0, y0 + h * 0.38, x0 + w, y0 + h * 0.72), fill=p["paper"])
    _label(draw, (S / 2, y0 + h * 0.55), label, p["paper"], p["ink"], width=w - 30, size=58)


def _cake(img, draw, p, label):
    r = S * 0.3
    cx, cy = S / 2, S * 0.52
    _shadow(img, (cx - r - 20, cy + r * 0.2, cx + r + 40, cy + r + 60))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=p["paper"], outline=_darker(p["paper"], 0.15), width=8)
    for i in range(24):  # the wrapping paper's pleats, gathered at the centre
        a = 2 * math.pi * i / 24
        draw.line((cx, cy, cx + r * 0.97 * math.cos(a), cy + r * 0.97 * math.sin(a)),
                  fill=_darker(p["paper"], 0.08), width=5)
    draw.ellipse((cx - r * 0.12, cy - r * 0.12, cx + r * 0.12, cy + r * 0.12), fill=_darker(p["paper"], 0.12))
    draw.rectangle((cx - r * 0.55, cy - r * 0.75, cx - r * 0.05, cy - r * 0.25), fill=p["accent"])
    draw.rectangle((cx - r * 0.5, cy - r * 0.7, cx - r * 0.1, cy - r * 0.3), outline=p["paper"], width=6)
    _label(draw, (cx, cy + r * 0.5), label, p["paper"], p["ink"], size=54)


def _cups(img, draw, p, label, count=3):
    cw, ch = S * 0.2, S * 0.17
    gap = S * 0.05
    total = count * cw + (count - 1) * gap
    for i in range(count):
        x0 = S / 2 - total / 2 + i * (cw + gap)
        y1 = S * 0.68 + (i % 2) * 30
        _shadow(img, (x0 - 10, y1 - 20, x0 + cw + 10, y1 + 30), blur=20)
        draw.polygon([(x0, y1 - ch), (x0 + cw, y1 - ch), (x0 + cw * 0.82, y1), (x0 + cw * 0.18, y1)], fill=p["main"])
        draw.polygon([(x0 + cw * 0.55, y1 - ch), (x0 + cw * 0.8, y1 - ch), (x0 + cw * 0.68, y1),
                      (x0 + cw * 0.55, y1)], fill=_lighter(p["main"], 0.2))
        draw.ellipse((x0, y1 - ch - 22, x0 + cw, y1 - ch + 22), fill=_lighter(p["main"], 0.3))
        draw.ellipse((x0 + 10, y1 - ch - 14, x0 + cw - 10, y1 - ch + 14), fill=p["accent"])
    _label(draw, (S / 2, S * 0.86), label, p["paper"], p["ink"], size=56)


def _tray(img, draw, p, label):
    top = [(S * 0.18, S * 0.42), (S * 0.82, S * 0.42), (S * 0.92, S * 0.7), (S * 0.08, S * 0.7)]
    _shadow(img, (S * 0.06, S * 0.62, S * 0.94, S * 0.8))
    draw.polygon(top, fill=p["main"])
    draw.polygon([top[3], top[2], (S * 0.92, S * 0.75), (S * 0.08, S * 0.75)], fill=_darker(p["main"], 0.3))
    for i in range(1, 12):  # bamboo slats, converging with the perspective
        t = i / 12
        draw.line((S * (0.18 + 0.64 * t), S * 0.42, S * (0.08 + 0.84 * t), S * 0.7),
                  fill=_darker(p["main"], 0.18), width=7)
    _label(draw, (S / 2, S * 0.86), label, p["paper"], p["ink"], size=56)


def _box(img, draw, p, label):
    x0, y0, x1, y1 = S * 0.24, S * 0.42, S * 0.76, S * 0.8
    depth = S * 0.1
    _shadow(img, (x0 - 40, y1 - 40, x1 + depth + 40, y1 + 50))
    draw.polygon([(x0, y0), (x0 + depth, y0 - depth), (x1 + depth, y0 - depth), (x1, y0)], fill=_lighter(p["main"]))
    draw.polygon([(x1, y0), (x1 + depth, y0 - depth), (x1 + depth, y1 - depth), (x1, y1)], fill=_darker(p["main"]))
    _shaded_rect(img, (x0, y0, x1, y1), p["main"])
    cx = (x0 + x1) / 2
    draw.rectangle((cx - 22, y0, cx + 22, y1), fill=p["accent"])
    draw.polygon([(cx - 22, y0), (cx + depth - 22, y0 - depth), (cx + depth + 22, y0 - depth), (cx + 22, y0)],
                 fill=_lighter(p["accent"], 0.15))
    bx, by = cx + depth / 2, y0 - depth / 2
    draw.ellipse((bx - 170, by - 100, bx - 10, by + 10), outline=p["accent"], width=30)
    draw.ellipse((bx + 10, by - 100, bx + 170, by + 10), outline=p["accent"], width=30)
    draw.ellipse((bx - 26, by - 36, bx + 26, by + 16), fill=_darker(p["accent"], 0.15))
    _label(draw, (cx, (y0 + y1) / 2 + 40), label, p["paper"], p["ink"], size=52)


def _pot(img, draw, p, label):
    cx, cy, rx, ry = S / 2, S * 0.58, S * 0.24, S * 0.18
    _shadow(img, (cx - rx - 30, cy + ry * 0.6, cx + rx + 30, cy + ry + 50))
    draw.polygon([(cx + rx * 0.8, cy), (cx + rx * 1.55, cy - ry * 0.9), (cx + rx * 1.62, cy - ry * 0.78),
                  (cx + rx * 0.9, cy + ry * 0.35)], fill=_darker(p["main"], 0.1))
    draw.arc((cx - rx * 1.4, cy - ry * 0.7, cx - rx * 0.1, cy + ry * 0.6), 90, 270, fill=_darker(p["main"], 0.1),
             width=34)
    draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=p["main"])
    draw.ellipse((cx - rx * 0.7, cy - ry * 0.8, cx - rx * 0.1, cy - ry * 0.2), fill=_lighter(p["main"], 0.18))
    draw.ellipse((cx - rx * 0.55, cy - ry * 1.12, cx + rx * 0.55, cy - ry * 0.8), fill=_darker(p["main"], 0.15))
    draw.ellipse((cx - 30, cy - ry * 1.32, cx + 30, cy - ry * 1.02), fill=p["accent"])
    _label(draw, (cx, S * 0.87), label, p["paper"], p["ink"], size=56)


def _pouch(img, draw, p, label):
    x0, y0, x1, y1 = S * 0.3, S * 0.22, S * 0.7, S * 0.82
    _shadow(img, (x0 - 30, y1 - 40, x1 + 30, y1 + 50))
    draw.polygon([(x0, y0), (x1, y0), (x1 + 20, y1), (x0 - 20, y1)], fill=p["main"])
    draw.rectangle((x0, y0, x1, y0 + 40), fill=_darker(p["main"], 0.2))
    window = (x0 + 60, y0 + 140, x1 - 60, y0 + 420)
    draw.rounded_rectangle(window, radius=30, fill=_lighter(p["accent"], 0.5))
    rng = random.Random(7)  # noqa: S311  # nosec B311: seeded, for reproducible demo pictures, not for secrets
    win = Image.new("RGB", (round(window[2] - window[0]), round(window[3] - window[1])), _lighter(p["accent"], 0.5))
    _scatter_leaves(win, rng, p["accent"], 18, (-40, -40, win.width - 60, win.height - 40), size=(60, 120))
    mask = Image.new("L", win.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, win.width - 1, win.height - 1), radius=30, fill=255)
    img.paste(win, (round(window[0]), round(window[1])), mask)
    _label(draw, (S / 2, y1 - 140), label, p["paper"], p["ink"], width=x1 - x0 - 40, size=52)


def _pearls(img, draw, p, label):
    cx, cy, r = S / 2, S * 0.55, S * 0.3
    _shadow(img, (cx - r, cy + r * 0.3, cx + r, cy + r * 0.75))
    draw.pieslice((cx - r, cy - r * 0.75, cx + r, cy + r * 0.75), 0, 180, fill=p["main"])
    rng = random.Random(11)  # noqa: S311  # nosec B311: seeded, for reproducible demo pictures, not for secrets
    for _ in range(160):  # the pearls heaped in the bowl, drawn back to front
        a, d = rng.uniform(math.pi, 2 * math.pi), rng.uniform(0, 1) ** 0.5
        px, py = cx + math.cos(a) * r * 0.88 * d, cy + math.sin(a) * r * 0.3 * d
        pr = rng.randint(22, 30)
        shade = _mix(p["accent"], (255, 255, 255), rng.uniform(0.1, 0.5))
        draw.ellipse((px - pr, py - pr, px + pr, py + pr), fill=shade, outline=_darker(shade, 0.15), width=3)
    draw.ellipse((cx - r, cy - 26, cx + r, cy + 26), outline=_darker(p["main"], 0.2), width=10)
    _label(draw, (cx, S * 0.88), label, p["paper"], p["ink"], size=56)


OBJECTS = {
    "tin": _tin,
    "cake": _cake,
    "cups": _cups,
    "tray": _tray,
    "box": _box,
    "pot": _pot,
    "pouch": _pouch,
    "pearls": _pearls,
}


def draw_product(kind, palette, label, view=0):
    """JPEG bytes of one product picture. `palette` maps main, accent, paper, ink and the two
    backdrop colours (sky, floor) to '#rrggbb'."""
    p = {name: _hex(value) for name, value in palette.items()}
    rng = random.Random(f"{kind}-{label}-{view}")  # noqa: S311  # nosec B311: seeded, for reproducible demo pictures, not for secrets
    if view == 2:
        img = _gradient((S, S), _lighter(p["paper"], 0.1), p["paper"])
        _scatter_leaves(img, rng, p["leaf"], 70, (-120, -120, S - 60, S - 60), size=(140, 260))
        draw = ImageDraw.Draw(img)
        _label(draw, (S / 2, S / 2), label, _lighter(p["paper"], 0.2), p["ink"], size=96)
    else:
        img = _gradient((S, S), p["sky"], p["floor"])
        draw = ImageDraw.Draw(img)
        if view == 1:
            _scatter_leaves(img, rng, p["leaf"], 14, (0, int(S * 0.75), S - 200, S - 160))
        OBJECTS[kind](img, draw, p, label)
    out = io.BytesIO()
    img.resize((SIZE, SIZE), Image.Resampling.LANCZOS).save(out, "JPEG", quality=88)
    return out.getvalue()
