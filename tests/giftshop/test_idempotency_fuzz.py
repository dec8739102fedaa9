"""Fuzzing the Idempotency-Key header (giftshop.idempotency.idempotent): whatever the header holds
(any text, latin-1 as HTTP delivers it, control characters, overlong, blank), the request either
runs (and a retry with the same key replays its answer) or is refused with the decorator's own
InvalidInput on the field Idempotency-Key (400 invalid). Nothing else escapes: no DataError,
ValueError or UnicodeEncodeError from writing the key into the database.

Each example runs in its own savepoint, rolled back at its end. Run against PostgreSQL too
(DATABASE_URL=postgres://...): it refuses a NUL character in text, where SQLite keeps it."""

import pytest
from django.db import transaction
from hypothesis import example, given
from hypothesis import strategies as st
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from giftshop.idempotency import HEADER, MAX_KEY_LENGTH, REPLAYED_HEADER, idempotent
from giftshop.models import IdempotencyRecord
from tests.factories import UserFactory
from tests.fuzz_inputs import any_text, fuzz_settings, latin1_text

pytestmark = pytest.mark.django_db
FUZZ = fuzz_settings(80)


class KeyedApi(APIView):
    calls = 0

    @idempotent("tests.fuzz")
    def post(self, request):
        type(self).calls += 1
        return Response({"n": type(self).calls}, status=201)


keys = st.one_of(
    latin1_text,
    any_text,
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=10),  # control characters only
    st.text(st.characters(max_codepoint=0x7F), min_size=MAX_KEY_LENGTH - 3, max_size=MAX_KEY_LENGTH + 3),
    st.sampled_from(["", " ", "\t", "\u3000", "\u2028", "k\x00", "\ud800", "é" * MAX_KEY_LENGTH, "x" * 10_000]),
)


@pytest.fixture
def call():
    factory, view, user = APIRequestFactory(), KeyedApi.as_view(), UserFactory()

    def send(key):
        request = factory.post("/x/", {"a": 1}, format="json", headers={HEADER: key})
        force_authenticate(request, user=user)
        return view(request)

    return send


@FUZZ
@given(key=keys)
@example(key="k\x00ey")  # PostgreSQL refuses a NUL character in text: a DataError, a 500
@example(key="k\ud800")  # no database encodes a lone surrogate: UnicodeEncodeError
@example(key="a" * MAX_KEY_LENGTH)
@example(key="a" * (MAX_KEY_LENGTH + 1))
def test_any_key_runs_and_replays_or_is_refused_as_invalid(call, key):
    with transaction.atomic():
        first = call(key)
        if first.status_code == 400:
            assert first.data["code"] == "invalid" and HEADER in first.data["fields"], first.data
            assert not IdempotencyRecord.objects.exists()
        else:
            assert first.status_code == 201 and REPLAYED_HEADER not in first.headers, first.data
            again = call(key)
            assert again.status_code == 201 and again.headers.get(REPLAYED_HEADER) == "true"
            assert again.data == first.data
            assert IdempotencyRecord.objects.get().key == key
        transaction.set_rollback(True)


def test_ordinary_keys_still_run(call):
    """The fuzz's own footing: a UUID-like key runs (not only refusals)."""
    assert call("3f2b6c1e-8d4a-4b7e-9c2f-1a5d6e7f8a9b").status_code == 201
    assert call(" ").status_code == 400
