"""The one way a status moves: check the move against the model's table, save it with a
conditional update (so a racing move loses cleanly), and record a StatusChange row.

Each model declares `TRANSITIONS = Transitions({from: {to, ...}})` beside its status field and a
check constraint on the values; only services call `transition()`.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from giftshop import page_cache
from giftshop.errors import IllegalTransition


@dataclass(frozen=True)
class Transitions:
    table: dict

    def allowed(self, from_status, to_status) -> bool:
        return to_status in self.table.get(from_status, ())

    def check(self, from_status, to_status):
        if not self.allowed(from_status, to_status):
            raise IllegalTransition(f"{from_status} → {to_status} is not allowed.")


def transition(obj, to, *, field="status", reason="", actor=None, extra=None, where=None, table=None):
    """Move `obj.<field>` to `to` if it still holds the value we read; return True if moved.

    `actor`: the user whose request this is, recorded on the StatusChange row (None: the system).

    Returns False (and changes nothing) when another process moved it first: the caller answers
    with the reason. Raises IllegalTransition when the move is not in the table.
    `extra` are other columns written in the same UPDATE (timestamps, counters); `where` adds
    conditions the row must still meet (a Q object or lookups), e.g. "expires_at > now()".
    """
    model = type(obj)
    table = table or model.TRANSITIONS
    current = getattr(obj, field)
    table.check(current, to)
    values = {field: to, **(extra or {})}
    with transaction.atomic():
        rows = model._default_manager.filter(pk=obj.pk, **{field: current})
        if where is not None:
            rows = rows.filter(where) if isinstance(where, Q) else rows.filter(**where)
        moved = rows.update(**values)
        if not moved:
            return False
        StatusChange = apps.get_model("giftshop", "StatusChange")
        StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(obj.pk),
            field=field,
            from_status=current,
            to_status=to,
            reason=reason[:200],
            actor=actor if getattr(actor, "pk", None) else None,
        )
        page_cache.changed(obj)  # a status a cached page may show
    expressions = [name for name, value in values.items() if hasattr(value, "resolve_expression")]
    for name, value in values.items():
        if name not in expressions:
            setattr(obj, name, value)
    if expressions:
        obj.refresh_from_db(fields=expressions)
    return True
