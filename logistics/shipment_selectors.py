"""Reads for shipments: a store's "to ship" queue with its counts, and the access helpers, the only
way a view gets a shipment (404 when it is not the caller's to see).

Who sees a shipment: the members of its store (to pack and ship it: address, lines, gift note) and
its recipient (to follow it). Nobody else, in particular not a gift's sender: the sender follows the
claim's milestones in gifts, never the address or the tracking number.
"""

import re

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import Now

from giftshop.errors import NotFound
from logistics.models import Shipment
from stores.models import Store, StoreMember

# Ids are positive 64-bit integers; anything else is simply not a shipment of yours.
_ID_RE = re.compile(r"[0-9]{1,18}")

QUEUE_STATUSES = ("pending", "all")  # the page's filter: "to ship" (waiting to be dispatched) or everything
QUEUE_KINDS = ("gift", "purchase")


def _overdue():
    # The promise runs on the database clock, like the ship_by it is compared with.
    return ExpressionWrapper(Q(status=Shipment.Status.PENDING, ship_by__lt=Now()), output_field=BooleanField())


def shipment_list_for_store(*, store: Store, status: str | None = None, kind: str | None = None) -> QuerySet[Shipment]:
    """The store's shipments, the most urgent first (the earliest promise), each with `is_overdue`.

    `status`: a Shipment status (e.g. "pending": waiting to be dispatched), or None / "all" for
    every status. `kind`: "gift", "purchase" or None for both.
    """
    shipments = Shipment.objects.filter(store=store)
    if status and status != "all":
        shipments = shipments.filter(status=status)
    if kind == "gift":
        shipments = shipments.filter(is_gift=True)
    elif kind == "purchase":
        shipments = shipments.filter(is_gift=False)
    return shipments.annotate(is_overdue=_overdue()).order_by("ship_by", "id")


def shipment_counts_for_store(*, store: Store) -> dict:
    """How many shipments wait in each corner of the queue, in one query."""
    pending = Q(status=Shipment.Status.PENDING)
    return Shipment.objects.filter(store=store).aggregate(
        all=Count("id"),
        pending=Count("id", filter=pending),
        overdue=Count("id", filter=pending & Q(ship_by__lt=Now())),
        gift=Count("id", filter=Q(is_gift=True)),
        purchase=Count("id", filter=Q(is_gift=False)),
        pending_gift=Count("id", filter=pending & Q(is_gift=True)),
        pending_purchase=Count("id", filter=pending & Q(is_gift=False)),
    )


def access_shipment_for_member(*, user, shipment_id) -> Shipment:
    """A shipment of a store the user is a member of (its store and tracking events loaded),
    else NotFound."""
    shipment = None
    if user.is_authenticated and _ID_RE.fullmatch(str(shipment_id)):
        shipment = (
            Shipment.objects.select_related("store")
            .prefetch_related("events")
            .annotate(is_overdue=_overdue())
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
