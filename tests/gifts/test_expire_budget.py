"""One expire_gifts run works off every gift due (batch after batch, within its time budget),
not one batch per beat: 100k gifts due at once took 500 beats (2 h) at 200 a run."""

import functools
from datetime import timedelta

import pytest
from django.utils import timezone

from gifts import tasks
from gifts.models import Gift
from gifts.services import lifecycle
from tests.factories import UserFactory, VariantFactory
from tests.gifts.helpers import paid_gift

pytestmark = pytest.mark.django_db


def due_gifts(n):
    variant = VariantFactory(stock=10)
    gifts = [paid_gift(sender=UserFactory(), variant=variant) for _ in range(n)]
    Gift.objects.filter(id__in=[g.id for g in gifts]).update(expires_at=timezone.now() - timedelta(minutes=1))
    return gifts


def test_one_run_expires_every_due_gift_in_batches(monkeypatch):
    gifts = due_gifts(3)
    monkeypatch.setattr(tasks, "gifts_expire_due", functools.partial(lifecycle.gifts_expire_due, limit=1))
    done = tasks.expire_gifts()
    assert done["expired"] == 3
    assert set(Gift.objects.filter(id__in=[g.id for g in gifts]).values_list("status", flat=True)) == {"expired"}
    assert tasks.expire_gifts()["expired"] == 0  # each exactly once


def test_a_run_stops_at_its_budget(monkeypatch):
    due_gifts(3)
    monkeypatch.setattr(tasks, "gifts_expire_due", functools.partial(lifecycle.gifts_expire_due, limit=1))
    monkeypatch.setattr(tasks, "EXPIRE_BUDGET_SECONDS", 0)
    assert tasks.expire_gifts()["expired"] == 1  # the rest wait for the next beat
    assert tasks.expire_gifts()["expired"] == 1
