"""The console's statistics page (/merchant/s/<slug>/stats/): a date range picker, headline cards
and a bar chart of gifts sent, claimed, expired and declined per day.

The chart is inline SVG drawn from numbers computed here: bar sizes are SVG attributes (x, y,
width, height), colours come from classes in static/css/stats.css, so the page needs no inline
style (the Content Security Policy allows none). A day's numbers show on hover and on focus with CSS
alone; static/js/stats.js only adds arrow keys between the days. Members of the store only:
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
# Chart geometry. The SVG is as wide as its box (width: 100%) on any screen and for any range, so
# across it everything is a percentage of that width (each day gets 100 / days %); down it, and
# for the type, CSS pixels, so the text never shrinks on a phone nor swells on a desktop (a
# viewBox would scale both with the width). The y ticks sit left of x = 0, in the frame's padding.
READOUT_Y = 16  # the focused day's date; its numbers one line below
MARGIN_TOP = 48  # the plot's top, below the readout band
PLOT_HEIGHT = 160
LABEL_GAP = 18
MARGIN_BOTTOM = 28
GROUP_SHARE = 0.8  # of a day's width, for its bars; the rest is the gap between days
BAR_SHARE = 0.85  # of a bar's slot, for the bar; the rest is the gap between the bars of a day
DENSE_AFTER = 31  # days; longer ranges draw a day's bars in front of each other, DENSE_WIDTHS wide
DENSE_WIDTHS = (0.9, 0.65, 0.42, 0.22)
# Day labels, thinned in tiers counted back from the last day (always labelled): tier 1 shows on
# any width, tiers 2 and 3 only on wider frames (container queries in stats.css), so at most
# 4 / 6 / 9 labels ever share a frame and never overlap.
LABEL_TIERS = (4, 6, 9)
NICE_STEPS = (1, 2, 3, 7, 14, 28, 35, 42, 56, 70, 91, 182, 364)
EDGE = 8  # % from either end where a label is anchored at its day's edge, not centred
MAX_RAW_INPUT = 20


def _num(value: float) -> str:
    """A coordinate as SVG wants it, whatever the page's language (never a decimal comma)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _pct(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def _axis_top(highest: int) -> tuple[int, int]:
    """(top of the axis, tick step): a round number at or above `highest`, with about four ticks."""
    if highest <= 4:
        return max(highest, 1), 1
    raw = highest / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    return step * math.ceil(highest / step), step


def _label_count(days: int, step: int) -> int:
    return (days - 1) // step + 1


def label_steps(days: int) -> tuple[int, ...]:
    """One step per tier (see LABEL_TIERS), each a multiple of the next, so a narrow frame's labels
    are a subset of a wide frame's: (28, 14, 7) labels every 4th, 2nd or every week from the end."""
    widest = next((s for s in NICE_STEPS if _label_count(days, s) <= LABEL_TIERS[-1]), days)
    steps = [widest]
    for cap in reversed(LABEL_TIERS[:-1]):
        step = steps[0]
        while _label_count(days, step) > cap:
            step += steps[0]
        steps.insert(0, step)
    return tuple(steps)


def _label_tier(back: int, steps: tuple[int, ...]) -> int | None:
    """The tier of the label `back` days before the last day (1 = shown on any width), or None."""
    return next((tier for tier, step in enumerate(steps, start=1) if back % step == 0), None)


def build_chart(days: list[dict]) -> dict:
    """Everything the template draws: the y ticks, and per day its bars, hover/focus area and label."""
    highest = max((day[name] for day in days for name, _label in SERIES), default=0)
    top, step = _axis_top(highest)
    base = MARGIN_TOP + PLOT_HEIGHT
    count = len(days)
    steps = label_steps(count)
    day_width = 100 / count
    slot = day_width * GROUP_SHARE / len(SERIES)
    dense = count > DENSE_AFTER
    ticks = [
        {"value": value, "y": _num(base - value / top * PLOT_HEIGHT)} for value in range(0, top + 1, step)
    ]
    columns = []
    for index, day in enumerate(days):
        left = index * day_width
        bars = []
        # Many days: side by side, four bars would be thinner than a pixel; they stand one in front
        # of the other instead, the taller behind and wider, so a tie still shows both colours.
        order = sorted(range(len(SERIES)), key=lambda n: -day[SERIES[n][0]]) if dense else range(len(SERIES))
        for rank, position in enumerate(order):
            name, label = SERIES[position]
            value = day[name]
            if not value:
                continue
            height = value / top * PLOT_HEIGHT
            if dense:
                width = day_width * DENSE_WIDTHS[rank]
                x = left + (day_width - width) / 2
            else:
                width = slot * BAR_SHARE
                x = left + day_width * (1 - GROUP_SHARE) / 2 + position * slot + slot * (1 - BAR_SHARE) / 2
            bars.append({
                "series": name, "label": label, "value": value,
                "x": _pct(x), "y": _num(base - height), "width": _pct(width), "height": _num(height),
            })
        centre = left + day_width / 2
        if centre < EDGE:
            label_x, anchor = left, "start"
        elif centre > 100 - EDGE:
            label_x, anchor = left + day_width, "end"
        else:
            label_x, anchor = centre, "middle"
        columns.append({
            "date": day["date"],
            "bars": bars,
            "values": [{"series": name, "label": label, "value": day[name]} for name, label in SERIES],
            "x": _pct(left),
            "width": _pct(day_width),
            "label_x": _pct(label_x),
            "label_anchor": anchor,
            "label_tier": _label_tier(count - 1 - index, steps),
            "is_last": index == count - 1,
        })
    return {
        "dense": dense,
        "height": base + LABEL_GAP + MARGIN_BOTTOM,
        "base": base,
        "top": MARGIN_TOP,
        "plot_height": PLOT_HEIGHT,
        "readout_y": READOUT_Y,
        "tick_x": -8,
        "label_y": base + LABEL_GAP,
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
