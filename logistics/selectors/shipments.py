"""Reads for shipments: a store's "to ship" queue with its counts, and the access helpers, the only
way a view gets a shipment (404 when it is not the caller's to see).

Who sees a shipment: the members of its store (to pack and ship it: address, lines, gift note) and
its recipient (to follow it). Nobody else, in particular not a gift's sender: the sender follows the
claim's milestones in gifts, never the address or the tracking number.
"""

import re

from django.db.models import BooleanField, ExpressionWrapper, Func, IntegerField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Now

from giftshop.errors import NotFound
from logistics.models import Shipment
from stores.models import Store, StoreMember

# Ids are positive 64-bit integers; anything else is simply not a shipment of yours.
_ID_RE = re.compile(r"[0-9]{1,18}")

# The queue's status filter: "pending" (to ship, the default), "overdue" (still pending after its
# ship_by), "dispatched" (handed to a carrier: any status but pending and cancelled) and "all".
QUEUE_STATUSES = ("pending", "overdue", "dispatched", "all")
QUEUE_KINDS = ("gift", "purchase")
MAX_SELECTED = 100  # shipments printed (or exported) at once


# "Overdue": still pending after its promise, on the database clock (like the ship_by it is compared
# with). The one definition: the queue, the ship-by job (logistics.services.overdue), the store's
# statistics and Orders & Cards all use it.
OVERDUE = Q(status=Shipment.Status.PENDING, ship_by__lt=Now())


def with_overdue(queryset: QuerySet, prefix: str = "") -> QuerySet:
    """Annotate `is_overdue` on `queryset`: shipments, or rows that reach one through `prefix`
    (e.g. "shipment__" on claims; a row with no shipment is not overdue)."""
    condition = Q(**{f"{prefix}status": Shipment.Status.PENDING, f"{prefix}ship_by__lt": Now()})
    condition = ExpressionWrapper(condition, output_field=BooleanField())
    return queryset.annotate(is_overdue=Coalesce(condition, Value(False), output_field=BooleanField()))


def _status_q(status: str | None) -> Q:
    if status == "overdue":
        return OVERDUE
    if status == "dispatched":
        return ~Q(status__in=[Shipment.Status.PENDING, Shipment.Status.CANCELLED])
    if status and status != "all":
        return Q(status=status)
    return Q()


def _kind_q(kind: str | None) -> Q:
    if kind == "gift":
        return Q(is_gift=True)
    if kind == "purchase":
        return Q(is_gift=False)
    return Q()


def shipment_list_for_store(*, store: Store, status: str | None = None, kind: str | None = None) -> QuerySet[Shipment]:
    """The store's shipments, the most urgent first (the earliest promise), each with `is_overdue`.

    `status`: a Shipment status (e.g. "pending": waiting to be dispatched), one of the queue's
    groups ("overdue", "dispatched"), or None / "all" for every status. `kind`: "gift", "purchase"
    or None for both.
    """
    shipments = Shipment.objects.filter(_status_q(status), _kind_q(kind), store=store)
    return with_overdue(shipments).order_by("ship_by", "id")


def shipment_counts_for_store(*, store: Store) -> dict:
    """How many shipments wait in each corner of the queue, in one query: `counts[status]` for each
    of QUEUE_STATUSES and `counts[f"{status}_{kind}"]` for each of QUEUE_KINDS within it.

    What is still to ship ("pending", "overdue") is counted exactly: it is the work, and the queue's
    index reads only those rows. "dispatched" and "all" grow without end (a busy store has 200,000
    parcels; counting them took 290 ms, bench/plans/), so they are counted up to COUNT_CAP + 1:
    a count above COUNT_CAP means "more than COUNT_CAP" (`count_label` prints "999+")."""
    counts = {}
    for status in QUEUE_STATUSES:
        for kind in (None, *QUEUE_KINDS):
            rows = Shipment.objects.filter(_status_q(status), _kind_q(kind), store_id=store.pk).order_by()
            if status not in EXACT_COUNTS:
                rows = Shipment.objects.filter(id__in=rows.values("id")[: COUNT_CAP + 1]).order_by()
            counts[f"{status}_{kind}" if kind else status] = Subquery(_count_of(rows), output_field=IntegerField())
    return Store.objects.filter(pk=store.pk).values(**counts).get()


COUNT_CAP = 999
EXACT_COUNTS = ("pending", "overdue")


def count_label(counts: dict, name: str) -> str:
    """counts[name] as the queue shows it: the number, or "999+" for a capped count above COUNT_CAP."""
    count = counts[name]
    return f"{COUNT_CAP}+" if count > COUNT_CAP and not name.startswith(EXACT_COUNTS) else str(count)


def _count_of(rows: QuerySet) -> QuerySet:
    """SELECT COUNT(*) of the rows, one row always (not an aggregate to Django: no GROUP BY)."""
    return rows.annotate(n=Func(Value(1), function="COUNT", output_field=IntegerField())).values("n")


def shipments_selected_for_store(*, store: Store, ids) -> list[Shipment]:
    """The store's shipments with these ids (the queue's selection), in the queue's order, else
    NotFound: an id that is not one of the store's shipments is never told apart from a missing one.
    `ids` are strings as they came in the query string, each a number or several joined by commas."""
    wanted = []
    for value in ids:
        wanted += [part.strip() for part in str(value).split(",") if part.strip()]
    if not wanted or len(wanted) > MAX_SELECTED or not all(_ID_RE.fullmatch(part) for part in wanted):
        raise NotFound()
    unique = {int(part) for part in wanted}
    shipments = list(shipment_list_for_store(store=store).filter(id__in=unique))
    if len(shipments) != len(unique):
        raise NotFound()
    return shipments


def access_shipment_for_member(*, user, shipment_id) -> Shipment:
    """A shipment of a store the user is a member of (its store and tracking events loaded),
    else NotFound."""
    shipment = None
    if user.is_authenticated and _ID_RE.fullmatch(str(shipment_id)):
        shipment = (
            with_overdue(Shipment.objects.select_related("store").prefetch_related("events"))
            .filter(id=int(shipment_id), store__members__user=user)
            .first()
        )
    if shipment is None:
        raise NotFound()
    return shipment


def access_shipment_for_viewer(*, user, shipment_id) -> Shipment:
    """A shipment the user receives, or one of a store the user is a member of (its tracking
    events loaded, oldest first), else NotFound."""
    shipment = None
    if user.is_authenticated and _ID_RE.fullmatch(str(shipment_id)):
        member_of = StoreMember.objects.filter(user=user).values("store_id")
        shipment = (
            Shipment.objects.filter(Q(recipient=user) | Q(store_id__in=member_of), id=int(shipment_id))
            .prefetch_related("events")
            .first()
        )
    if shipment is None:
        raise NotFound()
    return shipment


def shipment_to_follow(shipment: Shipment) -> Shipment:
    """The parcel to follow now: the one a returned parcel was shipped again as, else itself."""
    return Shipment.objects.filter(resent_from=shipment).first() or shipment
