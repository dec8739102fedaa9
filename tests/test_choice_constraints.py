"""Every field with choices has a CHECK constraint on exactly those values (DESIGN §3: "every status
field has ... a DB check constraint on the values"). The constraints spell the values out (a model's
Meta cannot see its own Status class), so this test ties each list to the choices: adding a status
to the choices without the constraint, or the other way round, fails here, before a migration ships
a constraint that refuses a legal status or lets a typo in."""

import pytest
from django.apps import apps
from django.db.models import CheckConstraint, Q

OUR_APPS = ("giftshop", "accounts", "stores", "orders", "logistics", "gifts")


def _lookups(q: Q):
    """(field name, kind, values) for each `field__in=[...]` ("in") and `field=value` ("eq") in `q`."""
    for child in q.children:
        if isinstance(child, Q):
            yield from _lookups(child)
        else:
            lookup, value = child
            if lookup.endswith("__in") and "__" not in lookup[: -len("__in")]:
                yield lookup[: -len("__in")], "in", set(value)
            elif "__" not in lookup and isinstance(value, str):
                yield lookup, "eq", {value}


def _choice_fields():
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if field.choices:
                    yield model, field


@pytest.mark.parametrize(
    ("model", "field"), list(_choice_fields()), ids=lambda x: getattr(x, "__name__", getattr(x, "name", x))
)
def test_a_choice_field_has_a_check_constraint_on_exactly_its_values(model, field):
    allowed = {value for value, _label in field.flatchoices}
    checks = [c for c in model._meta.constraints if isinstance(c, CheckConstraint)]
    in_lists = [
        vals for c in checks for name, kind, vals in _lookups(c.condition) if name == field.name and kind == "in"
    ]
    # A constraint of alternatives (claim_rule="first_come" | mode="group" & claim_rule="lottery")
    # names every value too.
    spelled = [
        set().union(*(vals for name, kind, vals in _lookups(c.condition) if name == field.name and kind == "eq"))
        for c in checks
    ]
    assert in_lists or allowed in spelled, f"{model.__name__}.{field.name} has choices but no CHECK constraint on them"
    for values in in_lists:
        assert values == allowed, (
            f"{model.__name__}.{field.name}: the constraint allows {sorted(values)}, the choices are {sorted(allowed)}"
        )


def test_the_scan_finds_the_fields_it_is_meant_to_check():
    """A scan that finds nothing would pass everything."""
    names = {f"{model.__name__}.{field.name}" for model, field in _choice_fields()}
    assert {"Gift.status", "Claim.status", "Shipment.status", "Order.kind", "Payment.status"} <= names
