"""The built-in cover themes (a code table): colours for the card page and the rendered image."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Cover:
    code: str
    name: str
    top: tuple  # gradient colours, RGB
    bottom: tuple
    accent: tuple
    text: tuple
    emblem: str


COVERS = {
    c.code: c
    for c in (
        Cover("red_packet", _("Red packet"), (214, 51, 47), (168, 32, 29), (243, 201, 105), (255, 248, 235), "福"),
        Cover("birthday", _("Birthday"), (200, 70, 40), (204, 30, 96), (255, 236, 179), (255, 255, 255), "🎂"),
        Cover("thank_you", _("Thank you"), (46, 125, 50), (27, 94, 32), (255, 241, 118), (255, 255, 255), "谢"),
        Cover("festival", _("Festival"), (63, 81, 181), (26, 35, 126), (255, 213, 79), (255, 255, 255), "喜"),
        Cover("congrats", _("Congratulations"), (255, 179, 0), (230, 81, 0), (255, 255, 255), (40, 18, 0), "贺"),
        Cover("love", _("With love"), (216, 27, 96), (173, 20, 87), (255, 205, 210), (255, 255, 255), "爱"),
    )
}
DEFAULT_COVER = "red_packet"
COVER_CHOICES = [(c.code, c.name) for c in COVERS.values()]


def cover_for(code: str) -> Cover:
    return COVERS.get(code) or COVERS[DEFAULT_COVER]
