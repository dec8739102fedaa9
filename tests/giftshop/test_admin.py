import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giftshop.models import OutboxMessage, StatusChange
from giftshop.outbox import PermanentError, outbox_put, outbox_relay
from tests.factories import UserFactory

OUTBOX_URL = "/admin/giftshop/outboxmessage/"
HISTORY_URL = "/admin/giftshop/statuschange/"


@pytest.fixture
def staff_client(client, db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def _dead_message(recorder, key):
    recorder.fail_with = PermanentError("mailbox unknown")
    message = outbox_put(topic=recorder.topic, key=key, payload={"to": key})
    outbox_relay()
    recorder.fail_with = None
    message.refresh_from_db()
    assert message.status == "dead"
    return message


def test_the_outbox_list_shows_messages_and_filters_by_status(staff_client, recorder):
    dead = _dead_message(recorder, "mail:dead")
    outbox_put(topic=recorder.topic, key="mail:pending", payload={})

    everything = staff_client.get(OUTBOX_URL)
    only_dead = staff_client.get(OUTBOX_URL, {"status__exact": "dead"})

    assert everything.status_code == 200
    assert b"mail:dead" in everything.content and b"mail:pending" in everything.content
    assert only_dead.status_code == 200
    assert b"mail:dead" in only_dead.content and b"mail:pending" not in only_dead.content
    assert staff_client.get(f"{OUTBOX_URL}{dead.id}/change/").status_code == 200


def test_requeue_action_gives_dead_messages_another_round(staff_client, recorder):
    # given a dead message and a delivered one
    dead = _dead_message(recorder, "mail:dead")
    delivered = outbox_put(topic=recorder.topic, key="mail:ok", payload={})
    outbox_relay()
    # when staff select both and requeue
    response = staff_client.post(
        OUTBOX_URL, {"action": "requeue", "_selected_action": [dead.id, delivered.id]}, follow=True
    )
    # then the dead one is pending again with fresh attempts; the delivered one is untouched
    assert response.status_code == 200
    assert b"1 message requeued." in response.content
    assert b"1 message was not dead" in response.content
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)
    assert OutboxMessage.objects.get(id=delivered.id).status == "delivered"
    assert outbox_relay()["results"] == {dead.id: "delivered"}


def test_outbox_messages_cannot_be_added_or_edited_in_the_admin(staff_client, recorder):
    message = outbox_put(topic=recorder.topic, key="mail:x", payload={})

    assert staff_client.get(f"{OUTBOX_URL}add/").status_code == 403
    staff_client.post(f"{OUTBOX_URL}{message.id}/change/", {"topic": "other", "key": "mail:x", "status": "dead"})
    assert OutboxMessage.objects.get(id=message.id).status == "pending"


def test_the_status_history_is_read_only(staff_client, recorder):
    _dead_message(recorder, "mail:dead")
    change = StatusChange.objects.get()

    listing = staff_client.get(HISTORY_URL)

    assert listing.status_code == 200
    assert b"pending" in listing.content and b"dead" in listing.content
    assert staff_client.get(f"{HISTORY_URL}add/").status_code == 403
    assert staff_client.post(f"{HISTORY_URL}{change.id}/delete/", {"post": "yes"}).status_code == 403
    assert StatusChange.objects.filter(id=change.id).exists()


@pytest.mark.parametrize("url", [OUTBOX_URL, HISTORY_URL])
def test_people_who_are_not_staff_are_sent_to_the_login(client, user, url):
    anonymous = client.get(url)
    client.force_login(user)
    shopper = client.get(url)

    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert shopper.status_code == 302 and "/admin/login/" in shopper["Location"]


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("url", [OUTBOX_URL, HISTORY_URL])
def test_admin_lists_cost_the_same_queries_for_1_row_and_for_20(staff_client, recorder, url):
    _dead_message(recorder, "mail:0")
    one = _count_queries(staff_client, url)
    for n in range(1, 20):
        _dead_message(recorder, f"mail:{n}")
    twenty = _count_queries(staff_client, url)

    assert OutboxMessage.objects.count() == 20 and StatusChange.objects.count() == 20
    assert one == twenty, "a list query per row: add select_related / list_select_related"
