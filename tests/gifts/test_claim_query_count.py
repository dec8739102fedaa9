"""What an accepted claim costs: POST /api/v1/claims/<token>/ with a saved address, pinned exactly.

Counted: the statements on the shop's own tables. Not counted: savepoints (transaction plumbing)
and the rate-limit counters in `giftshop_cache` (the embedded mode's database cache; with Redis
they are not SQL at all), so the pin holds on SQLite and on PostgreSQL + Redis alike.
"""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gifts.tokens import gift_share_url
from tests.conftest import api_client_for
from tests.factories import AddressFactory, UserFactory, VariantFactory
from tests.gifts.helpers import paid_gift

pytestmark = pytest.mark.django_db

# 1 the token's user (with the token cache off, as in the test settings); 1 the gift (with sender,
# product, store and order in one join: issue 12 dropped the prefetch of its photos, options and
# order line, which only the card page and a variant switch read); 1 the saved address; 2 the
# shipment (INSERT, then its ship_by as the database clock set it); 1 the claim; 1 the sender's
# notice and 1 its email in the outbox; then, last, holding the gift row for the fewest
# statements: 1 the conditional UPDATE of the gift row, 2 the single gift's move to claimed (the
# guarded UPDATE, its history row) and 1 its closed_at. (Issue 8 measured 39 statements in all,
# savepoints and rate-limit counters included; by this count it was 17, then 15.)
ACCEPTED_CLAIM_QUERIES = 12


def domain_queries(captured):
    return [
        q["sql"] for q in captured
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
        and "giftshop_cache" not in q["sql"]
    ]


def test_an_accepted_claim_costs_a_fixed_number_of_queries():
    gift = paid_gift(sender=UserFactory(), variant=VariantFactory(stock=5))
    friend = UserFactory()
    address = AddressFactory(user=friend, is_default=True)
    api = api_client_for(friend)
    token = urlsplit(gift_share_url(gift=gift)).path.strip("/").split("/")[-1]

    with CaptureQueriesContext(connection) as ctx:
        response = api.post(f"/api/v1/claims/{token}/", {"address_id": address.id}, format="json")

    assert response.status_code == 201, response.content
    queries = domain_queries(ctx.captured_queries)
    listing = "\n".join(f"{n:>3}. {sql[:300]}" for n, sql in enumerate(queries, 1))
    assert len(queries) == ACCEPTED_CLAIM_QUERIES, (
        f"An accepted claim now makes {len(queries)} queries, not {ACCEPTED_CLAIM_QUERIES}. If the change is "
        f"right, update ACCEPTED_CLAIM_QUERIES and its explanation above, and say why in the commit:\n{listing}"
    )
