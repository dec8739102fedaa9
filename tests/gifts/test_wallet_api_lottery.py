"""GET /api/v1/me/wallet/: a lottery entry has no shipment yet, and its `overdue` is still the
boolean the schema promises (it was null: the fuzzer's response-schema check caught it)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gifts.services.claims import claim_enter
from tests.conftest import api_client_for
from tests.factories import UserFactory, VariantFactory
from tests.gifts.helpers import paid_gift

pytestmark = pytest.mark.django_db


def test_a_lottery_entry_is_not_overdue_and_says_so_with_a_boolean():
    sender, friend = UserFactory(), UserFactory()
    gift = paid_gift(sender=sender, variant=VariantFactory(stock=10), quantity=2, mode="group",
                     claim_rule="lottery", claim_hours=48, draw_at=timezone.now() + timedelta(hours=2))
    claim_enter(gift=gift, user=friend)

    body = api_client_for(sender).get("/api/v1/me/wallet/").json()

    [sent] = body["sent"]
    [entry] = sent["claims"]
    assert entry["status"] == "entered"
    assert entry["overdue"] is False
