"""A store's statistics: what its gifts did day by day, how fast they were claimed, what it earned,
and what is late to ship. For the console page and GET /api/v1/merchant/stores/<slug>/stats/.

They combine gifts, orders and logistics, so they live in gifts (the leftmost app they need).
Days are the store's days (settings.TIME_ZONE). Every number comes from a fixed handful of
aggregate queries (GROUP BY day or currency), however many gifts, claims and orders the range holds:

- sent: gifts paid (their card went live: `opened_at`) that day;
- claimed: claims accepted (`accepted_at`) that day, lottery winners once they chose an address;
- expired / declined: gifts closed (`closed_at`) that day with that status;
- claim rate: units claimed / units sent, over the gifts sent in the range;
- median time to claim: accepted_at − the gift's opened_at, over the claims accepted in the range;
- revenue: per currency, the orders paid in the range (gifts and purchases) less their succeeded refunds;
- shipments overdue: waiting to be dispatched past their ship-by time, now (database clock).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from gifts.models import Claim, Gift
from giftshop.errors import InvalidInput
from logistics.models import Shipment
from logistics.selectors.shipments import OVERDUE
from orders.models import Order, Refund
from stores.models import Store

DEFAULT_DAYS = 30
MAX_DAYS = 366
EARLIEST_DAY = date(2000, 1, 1)
PRESETS = (7, 30, 90)
_DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SERIES = ("sent", "claimed", "expired", "declined")


def store_zone() -> ZoneInfo:
    """The store's time zone: one setting for the whole shop."""
    return ZoneInfo(settings.TIME_ZONE)


def store_today() -> date:
    return timezone.now().astimezone(store_zone()).date()


@dataclass(frozen=True)
class Period:
    """A range of the store's days, both ends included."""

    start: date
    end: date

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.length)]

    def bounds(self) -> tuple[datetime, datetime]:
        """[first midnight, midnight after the last day) as aware datetimes in the store's zone."""
        zone = store_zone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )


def _parse_day(value, field: str) -> date | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    day = None
    if _DAY_RE.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
    if day is None:
        raise InvalidInput(_("Enter a date as YYYY-MM-DD."), field=field)
    return day


def stats_period(*, start=None, end=None, today: date | None = None) -> Period:
    """The range asked for (YYYY-MM-DD strings, either may be missing or empty): by default the
    last 30 days up to today; at most 366 days. InvalidInput (fields start / end) otherwise."""
    today = today or store_today()
    errors = {}
    parsed = {}
    for field, value in (("start", start), ("end", end)):
        try:
            parsed[field] = _parse_day(value, field)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if errors:
        raise InvalidInput(fields=errors)
    last = parsed["end"] or today
    if last < EARLIEST_DAY:
        # Checked before counting back the default 30 days: from 0001-01-01 that is no date at all.
        raise InvalidInput(fields={"end": [_("Choose a day from %(day)s on.") % {"day": EARLIEST_DAY.isoformat()}]})
    first = parsed["start"] or last - timedelta(days=DEFAULT_DAYS - 1)
    latest = today + timedelta(days=MAX_DAYS)
    if first < EARLIEST_DAY:
        errors["start"] = [_("Choose a day from %(day)s on.") % {"day": EARLIEST_DAY.isoformat()}]
    if last > latest:
        errors["end"] = [_("Choose a day no later than %(day)s.") % {"day": latest.isoformat()}]
    if not errors and first > last:
        errors["start"] = [_("The first day must not be after the last day.")]
    if not errors and (last - first).days + 1 > MAX_DAYS:
        errors["start"] = [_("Choose at most %(days)s days.") % {"days": MAX_DAYS}]
    if errors:
        raise InvalidInput(fields=errors)
    return Period(start=first, end=last)


def preset_periods(*, today: date | None = None) -> list[tuple[int, Period]]:
    """The picker's shortcuts: the last 7, 30 and 90 days up to today."""
    today = today or store_today()
    return [(n, Period(start=today - timedelta(days=n - 1), end=today)) for n in PRESETS]


def _per_day(queryset, field: str, lo, hi, **aggregates):
    """{day: {aggregate: value}} for rows whose `field` falls in [lo, hi), grouped by the store's day."""
    rows = (
        queryset.filter(**{f"{field}__gte": lo, f"{field}__lt": hi})
        .annotate(day=TruncDate(field, tzinfo=store_zone()))
        .values("day")
        .annotate(**aggregates)
        .order_by("day")
    )
    return {row["day"]: row for row in rows}


def _median_seconds(claims, count: int) -> int | None:
    """The median wait, read by the database in wait order: at most two rows leave it."""
    if count == 0:
        return None
    waits = list(
        claims.annotate(wait=ExpressionWrapper(F("accepted_at") - F("gift__opened_at"), output_field=DurationField()))
        .order_by("wait", "id")
        .values_list("wait", flat=True)[(count - 1) // 2: count // 2 + 1]
    )
    return round(sum(w.total_seconds() for w in waits) / len(waits))


def _revenue(store: Store, lo, hi) -> list[dict]:
    paid = (
        Order.objects.filter(store=store, paid_at__gte=lo, paid_at__lt=hi)
        .values("currency")
        .annotate(total=Sum("total_minor"))
        .order_by("currency")
    )
    refunded = (
        Refund.objects.filter(
            status=Refund.Status.SUCCEEDED, payment__order__store=store,
            payment__order__paid_at__gte=lo, payment__order__paid_at__lt=hi,
        )
        .values("payment__currency")
        .annotate(total=Sum("amount_minor"))
        .order_by("payment__currency")
    )
    back = {row["payment__currency"]: row["total"] for row in refunded}
    return [
        {"currency": row["currency"], "amount_minor": row["total"] - back.get(row["currency"], 0)} for row in paid
    ]


def store_stats(*, store: Store, period: Period) -> dict:
    """Every number of the statistics page for `store` over `period` (see the module's docstring)."""
    lo, hi = period.bounds()
    store_gifts = Gift.objects.filter(order__store=store)
    sent = _per_day(store_gifts, "opened_at", lo, hi, n=Count("id"), units=Sum("quantity"),
                    units_claimed=Sum("claimed_units"))
    accepted = Claim.objects.filter(gift__order__store=store, gift__opened_at__isnull=False)
    claimed = _per_day(accepted, "accepted_at", lo, hi, n=Count("id"))
    closed_rows = (
        store_gifts.filter(status__in=[Gift.Status.EXPIRED, Gift.Status.DECLINED], closed_at__gte=lo, closed_at__lt=hi)
        .annotate(day=TruncDate("closed_at", tzinfo=store_zone()))
        .values("day", "status")
        .annotate(n=Count("id"))
        .order_by("day", "status")
    )
    closed = {(row["day"], row["status"]): row["n"] for row in closed_rows}

    days = [
        {
            "date": day,
            "sent": sent[day]["n"] if day in sent else 0,
            "claimed": claimed[day]["n"] if day in claimed else 0,
            "expired": closed.get((day, Gift.Status.EXPIRED), 0),
            "declined": closed.get((day, Gift.Status.DECLINED), 0),
        }
        for day in period.days()
    ]
    totals = {name: sum(day[name] for day in days) for name in SERIES}
    totals["units_sent"] = sum(row["units"] or 0 for row in sent.values())
    totals["units_claimed"] = sum(row["units_claimed"] or 0 for row in sent.values())
    claims_in_range = accepted.filter(accepted_at__gte=lo, accepted_at__lt=hi)
    overdue = Shipment.objects.filter(OVERDUE, store=store).count()
    return {
        "start": period.start,
        "end": period.end,
        "days": days,
        "totals": totals,
        "claim_rate": round(totals["units_claimed"] / totals["units_sent"], 4) if totals["units_sent"] else None,
        "median_seconds_to_claim": _median_seconds(claims_in_range, totals["claimed"]),
        "revenue": _revenue(store, lo, hi),
        "shipments_overdue": overdue,
        "is_empty": not any(totals[name] for name in SERIES),
    }
