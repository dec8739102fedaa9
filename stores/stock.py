"""Stock reservations: conditional updates only, never read-modify-write in Python.

Stock is taken when an order or gift is created, moved on a variant switch and given back on
expiry, cancel, decline and any refund before dispatch. CHECK (stock >= 0) is the last net.
"""

from django.db import transaction
from django.db.models import F

from giftshop import page_cache
from stores.models import Variant

_variant_stores: dict[int, int] = {}  # a variant never moves to another store


def store_of_variant(variant_id: int) -> int | None:
    """The variant's store id, remembered once the transaction that read it commits (a variant
    never moves to another store, and a committed id is never used again; an id read inside a
    transaction that rolls back could be, on SQLite)."""
    if variant_id in _variant_stores:
        return _variant_stores[variant_id]
    store_id = Variant.objects.filter(id=variant_id).values_list("product__store_id", flat=True).first()
    if store_id is not None:
        def remember():
            if len(_variant_stores) > 100_000:
                _variant_stores.clear()
            _variant_stores[variant_id] = store_id

        transaction.on_commit(remember)
    return store_id


def stock_changed(variant_id: int) -> None:
    """Stock moved by a conditional UPDATE (no save()): the pages that show the store's stock."""
    page_cache.bump(store=store_of_variant(variant_id))


def stock_reserve(*, variant_id: int, quantity: int) -> bool:
    """Take `quantity` units if they are there; False (and nothing taken) if not."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    taken = bool(Variant.objects.filter(id=variant_id, stock__gte=quantity).update(stock=F("stock") - quantity))
    if taken:
        stock_changed(variant_id)
    return taken


def stock_release(*, variant_id: int, quantity: int) -> None:
    if quantity <= 0:
        return
    Variant.objects.filter(id=variant_id).update(stock=F("stock") + quantity)
    stock_changed(variant_id)
