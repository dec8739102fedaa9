import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import F

from giftshop.errors import IllegalTransition
from giftshop.models import OutboxMessage, StatusChange
from giftshop.transitions import Transitions, transition

# OutboxMessage is the infrastructure model with a transition table: pending -> delivered | dead,
# dead -> pending. The helper is the same for every app's status field.


@pytest.fixture
def message(db):
    return OutboxMessage.objects.create(topic="tests.any", key="t-1", payload={})


def test_an_allowed_move_saves_and_records_a_status_change(message):
    moved = transition(message, "dead", reason="tested", extra={"last_error": "boom"})

    assert moved is True
    assert message.status == "dead"
    stored = OutboxMessage.objects.get(id=message.id)
    assert (stored.status, stored.last_error) == ("dead", "boom")
    change = StatusChange.objects.get()
    assert change.content_type == ContentType.objects.get_for_model(OutboxMessage)
    assert (change.object_id, change.field) == (str(message.id), "status")
    assert (change.from_status, change.to_status, change.reason) == ("pending", "dead", "tested")


def test_expressions_in_extra_are_applied_in_the_update_and_read_back(message):
    transition(message, "dead", extra={"attempts": F("attempts") + 5})

    assert message.attempts == 5
    assert OutboxMessage.objects.get(id=message.id).attempts == 5


def test_an_illegal_move_raises_and_changes_nothing(message):
    transition(message, "delivered")

    with pytest.raises(IllegalTransition) as caught:
        transition(message, "pending")

    assert caught.value.code == "illegal_transition"
    assert caught.value.status == 409
    assert OutboxMessage.objects.get(id=message.id).status == "delivered"
    assert StatusChange.objects.count() == 1


def test_a_stale_object_loses_the_race_without_a_status_change(message):
    # given two copies of the same row, read before either moves it
    mine = OutboxMessage.objects.get(id=message.id)
    theirs = OutboxMessage.objects.get(id=message.id)
    # when they move it first, and then I try from what I read (pending)
    assert transition(theirs, "dead") is True
    moved = transition(mine, "delivered")
    # then my move reports False and leaves no trace
    assert moved is False
    assert mine.status == "pending"
    assert OutboxMessage.objects.get(id=message.id).status == "dead"
    assert list(StatusChange.objects.values_list("to_status", flat=True)) == ["dead"]


def test_a_table_knows_its_moves():
    table = Transitions({"a": {"b"}, "b": {"c"}})

    assert table.allowed("a", "b")
    assert not table.allowed("a", "c")
    assert not table.allowed("z", "a")
    with pytest.raises(IllegalTransition):
        table.check("b", "a")
