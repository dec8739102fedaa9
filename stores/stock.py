"""Stock reservations: conditional updates only, never read-modify-write in Python.

Stock is taken when an order or gift is created, moved on a variant switch and given back on
expiry, cancel, decline and any refund before dispatch. CHECK (stock >= 0) is the last net.
"""

from django.db.models import F

from stores.models import Variant


def stock_reserve(*, variant_id: int, quantity: int) -> bool:
    """Take `quantity` units if they are there; False (and nothing taken) if not."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    return bool(
        Variant.objects.filter(id=variant_id, stock__gte=quantity).update(stock=F("stock") - quantity)
    )


def stock_release(*, variant_id: int, quantity: int) -> None:
    if quantity <= 0:
        return
    Variant.objects.filter(id=variant_id).update(stock=F("stock") + quantity)
