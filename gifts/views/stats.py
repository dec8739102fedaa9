"""The console's statistics page (/merchant/s/<slug>/stats/): a date range picker, headline cards
and a bar chart of gifts sent, claimed, expired and declined per day.

The chart is inline SVG drawn from numbers computed here: bar sizes are SVG attributes (x, y,
width, height), colours come from classes in static/css/stats.css, so the page needs no inline
style and no script (the Content Security Policy allows neither). Members of the store only:
another store is a 404. The numbers come from gifts.selectors.stats, the same selector as the API.
"""

import math
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gifts.selectors.stats import Period, preset_periods, stats_period, store_stats, store_today
from giftshop.errors import InvalidInput
from giftshop.money import DEFAULT_CURRENCY
from giftshop.views import or_404
from stores.selectors import access_store_by_slug

SERIES = (
    ("sent", gettext_lazy("Sent")),
    ("claimed", gettext_lazy("Claimed")),
    ("expired", gettext_lazy("Expired")),
    ("declined", gettext_lazy("Declined")),
)
# Chart geometry, in SVG user units (= CSS pixels: the SVG is drawn at its natural size and the
# frame around it scrolls sideways when there are many days).
BAR_WIDTH = 6
BAR_GAP = 1
DAY_GAP = 10
DAY_WIDTH = len(SERIES) * BAR_WIDTH + (len(SERIES) - 1) * BAR_GAP + DAY_GAP
PLOT_HEIGHT = 160
MARGIN_TOP = 14
MARGIN_LEFT = 44
MARGIN_RIGHT = 12
MARGIN_BOTTOM = 46
MAX_RAW_INPUT = 20


def _num(value: float) -> str:
    """A coordinate as SVG wants it, whatever the page's language (never a decimal comma)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _axis_top(highest: int) -> tuple[int, int]:
    """(top of the axis, tick step): a round number at or above `highest`, with about four ticks."""
    if highest <= 4:
        return max(highest, 1), 1
    raw = highest / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    return step * math.ceil(highest / step), step


def build_chart(days: list[dict]) -> dict:
    """Everything the template draws: the frame, the y ticks, and per day its bars and label."""
    highest = max((day[name] for day in days for name, _label in SERIES), default=0)
    top, step = _axis_top(highest)
    base = MARGIN_TOP + PLOT_HEIGHT
    width = MARGIN_LEFT + len(days) * DAY_WIDTH + MARGIN_RIGHT
    label_every = 1 if len(days) <= 14 else 7
    ticks = [
        {"value": value, "y": _num(base - value / top * PLOT_HEIGHT)} for value in range(0, top + 1, step)
    ]
    columns = []
    for index, day in enumerate(days):
        left = MARGIN_LEFT + index * DAY_WIDTH + DAY_GAP / 2
        bars = []
        for position, (name, label) in enumerate(SERIES):
            value = day[name]
            if not value:
                continue
            height = value / top * PLOT_HEIGHT
            bars.append({
                "series": name, "label": label, "value": value,
                "x": _num(left + position * (BAR_WIDTH + BAR_GAP)), "y": _num(base - height),
                "width": BAR_WIDTH, "height": _num(height),
            })
        columns.append({
            "date": day["date"],
            "bars": bars,
            "label_x": _num(left + (DAY_WIDTH - DAY_GAP) / 2),
            "show_label": index % label_every == 0,
        })
    return {
        "width": width,
        "height": base + MARGIN_BOTTOM,
        "left": MARGIN_LEFT,
        "right": width - MARGIN_RIGHT,
        "base": base,
        "top": MARGIN_TOP,
        "tick_x": MARGIN_LEFT - 6,
        "label_y": base + 16,
        "x_title_x": _num(MARGIN_LEFT + (width - MARGIN_LEFT - MARGIN_RIGHT) / 2),
        "x_title_y": base + 38,
        # The y axis title is drawn rotated a quarter turn: in its rotated frame, x runs upwards.
        "y_title_x": _num(-(MARGIN_TOP + base) / 2),
        "y_title_y": 12,
        "ticks": ticks,
        "columns": columns,
    }


def format_wait(seconds: int | None) -> str:
    """The median time to claim as hours and minutes ("3 h 25 min", "45 min", "under a minute")."""
    if seconds is None:
        return "—"
    minutes = seconds // 60
    if minutes < 1:
        return _("under a minute")
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


def _range_query(period: Period) -> str:
    return urlencode({"start": period.start.isoformat(), "end": period.end.isoformat()})


def _presets(today: date, period: Period | None) -> list[dict]:
    return [
        {"days": n, "query": _range_query(preset), "current": preset == period}
        for n, preset in preset_periods(today=today)
    ]


@login_required
@require_GET
def store_stats_page(request, slug):
    store = or_404(access_store_by_slug, user=request.user, slug=slug)
    today = store_today()
    raw = {name: request.GET.get(name, "")[:MAX_RAW_INPUT] for name in ("start", "end")}
    context = {"store": store, "today": today, "series": SERIES}
    try:
        period = stats_period(start=raw["start"], end=raw["end"], today=today)
    except InvalidInput as exc:
        context.update(values=raw, errors=exc.fields or {"start": [exc.detail]}, presets=_presets(today, None))
        return render(request, "stats/store.html", context)
    stats = store_stats(store=store, period=period)
    rate = stats["claim_rate"]
    context.update(
        values={"start": period.start.isoformat(), "end": period.end.isoformat()},
        errors={},
        presets=_presets(today, period),
        period=period,
        stats=stats,
        chart=build_chart(stats["days"]) if not stats["is_empty"] else None,
        legend=[{"series": name, "label": label, "total": stats["totals"][name]} for name, label in SERIES],
        claim_rate_percent=None if rate is None else round(rate * 100),
        median_wait=format_wait(stats["median_seconds_to_claim"]),
        default_currency=DEFAULT_CURRENCY,
        nothing_happened=stats["is_empty"] and not stats["revenue"] and not stats["shipments_overdue"],
        longer=_range_query(Period(start=today - timedelta(days=89), end=today)),
    )
    return render(request, "stats/store.html", context)
