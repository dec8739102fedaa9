"""Idempotency-Key (giftshop.idempotency) through POST /api/v1/orders/, and the decorator's rules
for answers no order endpoint gives (an unexpected exception)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from giftshop.idempotency import idempotent, request_fingerprint
from giftshop.models import IdempotencyRecord
from orders.models import Order
from stores.models import Variant
from tests.orders.helpers import create_order, make_address, make_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant():
    return make_variant(stock=5)


@pytest.fixture
def address(user):
    return make_address(user)


def test_same_key_same_body_replays_the_first_answer_and_makes_one_order(user_api, user, variant, address):
    # given
    first = create_order(user_api, variant, address, **{"Idempotency-Key": "k-1"})
    # when
    again = create_order(user_api, variant, address, **{"Idempotency-Key": "k-1"})
    # then
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Order.objects.filter(buyer=user).count() == 1
    assert Variant.objects.get(id=variant.id).stock == 4  # reserved once


def test_the_same_body_in_another_key_order_is_the_same_request(user_api, user, variant, address):
    body = {"variant_id": variant.id, "quantity": 1, "address_id": address.id}
    reordered = {"address_id": address.id, "quantity": 1, "variant_id": variant.id}

    user_api.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "k"})
    again = user_api.post("/api/v1/orders/", reordered, format="json", headers={"Idempotency-Key": "k"})

    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.filter(buyer=user).count() == 1


def test_same_key_with_another_body_is_422(user_api, user, variant, address):
    create_order(user_api, variant, address, quantity=1, **{"Idempotency-Key": "k-2"})

    response = create_order(user_api, variant, address, quantity=2, **{"Idempotency-Key": "k-2"})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.filter(buyer=user).count() == 1


def test_same_key_while_the_first_request_is_in_flight_is_409(user_api, user, variant, address):
    # given: the first request has inserted its record and is still running
    body = {"variant_id": variant.id, "quantity": 1, "address_id": address.id}
    IdempotencyRecord.objects.create(
        user=user, endpoint="orders.create", key="k-3", request_hash=request_fingerprint(body, {})
    )
    # when
    response = create_order(user_api, variant, address, **{"Idempotency-Key": "k-3"})
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_flight"
    assert not Order.objects.exists()


def test_a_request_that_died_in_flight_blocks_its_key_for_the_lease_only(user_api, user, variant, address, settings):
    # given: a record left in flight by a process that died after its commit, before storing the answer
    settings.IDEMPOTENCY_IN_FLIGHT_SECONDS = 60
    body = {"variant_id": variant.id, "quantity": 1, "address_id": address.id}
    record = IdempotencyRecord.objects.create(
        user=user, endpoint="orders.create", key="k-dead", request_hash=request_fingerprint(body, {})
    )
    IdempotencyRecord.objects.filter(id=record.id).update(created_at=timezone.now() - timedelta(seconds=59))
    assert create_order(user_api, variant, address, **{"Idempotency-Key": "k-dead"}).status_code == 409
    IdempotencyRecord.objects.filter(id=record.id).update(created_at=timezone.now() - timedelta(seconds=61))
    # when
    response = create_order(user_api, variant, address, **{"Idempotency-Key": "k-dead"})
    again = create_order(user_api, variant, address, **{"Idempotency-Key": "k-dead"})
    # then: past the lease the request runs once, and its answer is the key's from then on
    assert response.status_code == 201
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.filter(buyer=user).count() == 1


def test_a_domain_error_is_stored_and_replayed(user_api, user, variant, address):
    # given: sold out when the first request ran
    Variant.objects.filter(id=variant.id).update(stock=0)
    first = create_order(user_api, variant, address, **{"Idempotency-Key": "k-4"})
    Variant.objects.filter(id=variant.id).update(stock=5)
    # when: the same request again, now that there is stock
    again = create_order(user_api, variant, address, **{"Idempotency-Key": "k-4"})
    # then: the first answer, not a new order
    assert first.status_code == 400 and first.json()["code"] == "out_of_stock"
    assert again.status_code == 400 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert not Order.objects.exists()
    # and a new key makes the order
    assert create_order(user_api, variant, address, **{"Idempotency-Key": "k-5"}).status_code == 201


def test_invalid_input_is_not_stored_so_the_fixed_request_succeeds_with_the_same_key(user_api, user, variant, address):
    # given
    bad = create_order(user_api, variant, address, quantity=0, **{"Idempotency-Key": "k-6"})
    # when
    fixed = create_order(user_api, variant, address, quantity=1, **{"Idempotency-Key": "k-6"})
    # then
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "quantity" in bad.json()["fields"]
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers
    assert Order.objects.filter(buyer=user).count() == 1


def test_another_users_address_is_invalid_input_and_not_stored(user_api, user, other_user, variant, address):
    theirs = make_address(other_user)

    refused = create_order(user_api, variant, theirs, **{"Idempotency-Key": "k-7"})
    mine = create_order(user_api, variant, address, **{"Idempotency-Key": "k-7"})

    assert refused.status_code == 400 and "address_id" in refused.json()["fields"]
    assert mine.status_code == 201


def test_malformed_json_is_not_stored(user_api, user, variant, address):
    broken = user_api.generic(
        "POST",
        "/api/v1/orders/",
        b'{"variant_id": ',
        content_type="application/json",
        headers={"Idempotency-Key": "k-8"},
    )
    fixed = create_order(user_api, variant, address, **{"Idempotency-Key": "k-8"})

    assert broken.status_code == 400 and broken.json()["code"] == "parse_error"
    assert fixed.status_code == 201
    assert IdempotencyRecord.objects.filter(key="k-8").count() == 1


def test_another_user_with_the_same_key_is_independent(user_api, other_api, user, other_user, variant, address):
    theirs = make_address(other_user)

    mine = create_order(user_api, variant, address, **{"Idempotency-Key": "shared"})
    their = create_order(other_api, variant, theirs, **{"Idempotency-Key": "shared"})

    assert mine.status_code == 201 and their.status_code == 201
    assert "Idempotent-Replayed" not in their.headers
    assert mine.json()["id"] != their.json()["id"]
    assert Order.objects.count() == 2


def test_without_a_key_each_request_makes_an_order(user_api, user, variant, address):
    create_order(user_api, variant, address)
    create_order(user_api, variant, address)

    assert Order.objects.filter(buyer=user).count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", "x" * 256])
def test_an_empty_or_too_long_key_is_400_and_nothing_is_made(user_api, variant, address, key):
    response = create_order(user_api, variant, address, **{"Idempotency-Key": key})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "Idempotency-Key" in response.json()["fields"]
    assert not Order.objects.exists() and not IdempotencyRecord.objects.exists()


def test_a_key_of_255_characters_is_fine(user_api, variant, address):
    key = "k" * 255
    assert create_order(user_api, variant, address, **{"Idempotency-Key": key}).status_code == 201
    assert create_order(user_api, variant, address, **{"Idempotency-Key": key}).headers["Idempotent-Replayed"] == "true"


def test_a_record_older_than_the_keep_time_counts_as_absent(user_api, user, variant, address, settings):
    # given: the key was used 25 hours ago for another body
    settings.IDEMPOTENCY_KEEP_HOURS = 24
    create_order(user_api, variant, address, quantity=2, **{"Idempotency-Key": "old"})
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    # when
    response = create_order(user_api, variant, address, quantity=1, **{"Idempotency-Key": "old"})
    # then: a fresh request, not a 422
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert Order.objects.filter(buyer=user).count() == 2
    assert IdempotencyRecord.objects.filter(key="old").count() == 1


def test_a_record_inside_the_keep_time_is_still_replayed(user_api, user, variant, address):
    create_order(user_api, variant, address, **{"Idempotency-Key": "recent"})
    IdempotencyRecord.objects.filter(key="recent").update(created_at=timezone.now() - timedelta(hours=23))

    again = create_order(user_api, variant, address, **{"Idempotency-Key": "recent"})

    assert again.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.filter(buyer=user).count() == 1


# --- the decorator on its own: an unexpected exception leaves no record --------------------------


class FlakyApi(APIView):
    """Fails the first time it runs, then answers 201."""

    calls = 0

    @idempotent("tests.flaky")
    def post(self, request):
        type(self).calls += 1
        if type(self).calls == 1:
            raise RuntimeError("the database went away")
        return Response({"n": type(self).calls}, status=201)


def test_an_unexpected_exception_deletes_the_record_so_a_retry_runs(user):
    factory = APIRequestFactory()
    view = FlakyApi.as_view()
    FlakyApi.calls = 0

    def call():
        request = factory.post("/x/", {"a": 1}, format="json", headers={"Idempotency-Key": "flaky"})
        force_authenticate(request, user=user)
        return view(request)

    with pytest.raises(RuntimeError):
        call()
    assert not IdempotencyRecord.objects.exists()

    retried = call()
    replayed = call()

    assert retried.status_code == 201 and retried.data == {"n": 2}
    assert replayed.status_code == 201 and replayed.data == {"n": 2}
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert FlakyApi.calls == 2
