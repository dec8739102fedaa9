"""Store statistics: the numbers (per store day, claim rate, median time to claim, revenue less refunds,
overdue parcels), the date range rules, the console page (chart, cards, empty state, form errors) and
the API, each for the store's members only, with query counts that do not grow with the rows.

State is made by the real flow (gift_create → sandbox payment → claim / decline / expiry, purchases);
the test's clock is a queryset update of the timestamps afterwards."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.db.models.functions import Now
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gifts.models import Claim, Gift
from gifts.selectors.stats import Period, stats_period, store_stats
from gifts.services.claims import claim_accept, claim_decline
from gifts.services.lifecycle import gifts_expire_due
from gifts.views.stats import LABEL_TIERS, MARGIN_TOP, PLOT_HEIGHT, build_chart, format_wait, label_steps
from giftshop.errors import InvalidInput
from logistics.models import Shipment
from logistics.services.shipments import shipment_cancel
from orders.models import Order
from orders.services.checkout import order_create_purchase
from tests.conftest import api_client_for
from tests.factories import AddressFactory, StoreFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift, pay

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo(settings.TIME_ZONE)
PRICE = 5000


@pytest.fixture
def merchant():
    return UserFactory(username="mei", display_name="Mei")


@pytest.fixture
def store(merchant):
    return StoreFactory(owner=merchant, name="Tea House", slug="tea-house")


@pytest.fixture
def tea(store):
    return VariantFactory(product__store=store, product__title="Jasmine tea", stock=200, price_minor=PRICE)


def at(day: str, hour: int, minute: int = 0) -> datetime:
    """A moment on the store's clock (settings.TIME_ZONE)."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}").replace(tzinfo=ZONE)


def friend(name: str):
    person = UserFactory(username=name)
    return person, AddressFactory(user=person, is_default=True)


def claim(gift: Gift, name: str, accepted_at: datetime | None = None) -> Claim:
    person, address = friend(name)
    made = claim_accept(gift=gift, user=person, address_id=address.id)
    if accepted_at:
        Claim.objects.filter(id=made.id).update(accepted_at=accepted_at)
    return made


def sent_at(gift: Gift, moment: datetime) -> Gift:
    """The gift was paid (and its card went live) at `moment`."""
    Gift.objects.filter(id=gift.id).update(opened_at=moment)
    Order.objects.filter(id=gift.order_id).update(paid_at=moment)
    gift.refresh_from_db()
    return gift


def purchase(buyer, variant, paid_at: datetime) -> Order:
    address = AddressFactory(user=buyer)
    order = order_create_purchase(buyer=buyer, variant_id=variant.id, quantity=1, address_id=address.id)
    pay(order)
    Order.objects.filter(id=order.id).update(paid_at=paid_at)
    return order


def member_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(store, **query):
    url = reverse("stats:store", kwargs={"slug": store.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def api_url(store):
    return f"/api/v1/merchant/stores/{store.slug}/stats/"


@pytest.fixture
def busy_store(store, tea, user):
    """Three days of a store's life, 2024-05-01 to 05-03 (see each line), plus noise outside them."""
    g1 = sent_at(paid_gift(sender=user, variant=tea, quantity=2), at("2024-05-01", 23, 30))
    claim(g1, "ann", accepted_at=at("2024-05-02", 0, 30))  # waited 1 h
    # 00:30 in Shanghai is still 05-01 in UTC: the store's day is 05-02.
    g2 = sent_at(paid_gift(sender=user, variant=tea, quantity=3, mode="group"), at("2024-05-02", 0, 30))
    claim(g2, "ben", accepted_at=at("2024-05-02", 2, 30))  # 2 h
    claim(g2, "cat", accepted_at=at("2024-05-02", 10, 30))  # 10 h
    g3 = paid_gift(sender=user, variant=tea)
    claim_decline(gift=g3, user=friend("dan")[0])
    sent_at(g3, at("2024-05-02", 9))
    Gift.objects.filter(id=g3.id).update(closed_at=at("2024-05-03", 8))
    g4 = paid_gift(sender=user, variant=tea)
    Gift.objects.filter(id=g4.id).update(expires_at=Now() - timedelta(minutes=1))
    gifts_expire_due()
    sent_at(g4, at("2024-05-03", 12))
    Gift.objects.filter(id=g4.id).update(closed_at=at("2024-05-03", 20))
    drain_outbox()  # the declined and the expired gifts' refunds reach the sandbox and succeed
    # Sent before the range, claimed inside it: the claim counts (10 h 1 min), the gift does not.
    g5 = sent_at(paid_gift(sender=user, variant=tea), at("2024-04-30", 23, 59))
    late = claim(g5, "eve", accepted_at=at("2024-05-01", 10))
    bought = purchase(user, tea, at("2024-05-02", 15))
    dollars = VariantFactory(product__store=store, price_minor=1999, currency="USD", stock=5)
    purchase(user, dollars, at("2024-05-03", 9))
    # One parcel is past its promise now; a cancelled one past it does not count.
    Shipment.objects.filter(id=late.shipment_id).update(ship_by=Now() - timedelta(hours=1))
    bought.refresh_from_db()
    shipment_cancel(shipment=bought.shipment, reason="test")
    Shipment.objects.filter(id=bought.shipment_id).update(ship_by=Now() - timedelta(hours=1))
    # Another store's gift on the same day is not this store's business.
    elsewhere = VariantFactory(stock=5)
    sent_at(paid_gift(sender=user, variant=elsewhere), at("2024-05-02", 12))
    return Period(start=date(2024, 5, 1), end=date(2024, 5, 3))


def test_the_numbers_of_a_range_are_counted_on_the_store_days(store, busy_store):
    stats = store_stats(store=store, period=busy_store)

    assert [(d["date"].isoformat(), d["sent"], d["claimed"], d["expired"], d["declined"]) for d in stats["days"]] == [
        ("2024-05-01", 1, 1, 0, 0),
        ("2024-05-02", 2, 3, 0, 0),
        ("2024-05-03", 1, 0, 1, 1),
    ]
    assert stats["totals"] == {"sent": 4, "claimed": 4, "expired": 1, "declined": 1,
                               "units_sent": 7, "units_claimed": 4}
    assert stats["claim_rate"] == round(4 / 7, 4)
    assert stats["median_seconds_to_claim"] == (2 * 3600 + 10 * 3600) // 2  # of 1 h, 2 h, 10 h, 10 h 1 min
    # Paid: 2 + 3 + 1 + 1 gift units and one tea purchase at 50.00, less the refunds of the declined
    # and the expired gift; the dollar purchase is its own line.
    assert stats["revenue"] == [
        {"currency": "CNY", "amount_minor": 6 * PRICE}, {"currency": "USD", "amount_minor": 1999},
    ]
    assert stats["shipments_overdue"] == 1


def test_the_median_of_an_odd_number_of_claims_is_the_middle_one(store, tea, user):
    gift = sent_at(paid_gift(sender=user, variant=tea, quantity=3, mode="group"), at("2024-06-10", 8))
    for name, hours in (("ann", 5), ("ben", 1), ("cat", 3)):
        claim(gift, name, accepted_at=at("2024-06-10", 8 + hours))

    stats = store_stats(store=store, period=Period(start=date(2024, 6, 10), end=date(2024, 6, 10)))

    assert stats["median_seconds_to_claim"] == 3 * 3600
    assert stats["claim_rate"] == 1.0


def test_nothing_happened_gives_empty_numbers(store):
    stats = store_stats(store=store, period=Period(start=date(2024, 1, 1), end=date(2024, 1, 30)))

    assert len(stats["days"]) == 30 and stats["is_empty"]
    assert stats["claim_rate"] is None and stats["median_seconds_to_claim"] is None
    assert stats["revenue"] == [] and stats["shipments_overdue"] == 0


# --- the range ----------------------------------------------------------------------------------

TODAY = date(2024, 7, 15)


def test_the_default_range_is_the_last_30_days():
    assert stats_period(today=TODAY) == Period(start=date(2024, 6, 16), end=TODAY)
    assert stats_period(start="", end="", today=TODAY) == Period(start=date(2024, 6, 16), end=TODAY)
    assert stats_period(end="2024-03-31", today=TODAY) == Period(start=date(2024, 3, 2), end=date(2024, 3, 31))


def test_a_range_of_366_days_is_the_most():
    assert stats_period(start="2023-07-16", end="2024-07-15", today=TODAY).length == 366
    with pytest.raises(InvalidInput) as refused:
        stats_period(start="2023-07-15", end="2024-07-15", today=TODAY)
    assert "start" in refused.value.fields


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("yesterday", "", "start"),
        ("2024-13-01", "", "start"),
        ("2024-02-30", "", "start"),
        ("2024-1-5", "", "start"),
        ("20240105", "", "start"),
        ("", "2024-07-15T00:00", "end"),
        ("2024-07-10", "2024-07-01", "start"),
        ("1999-12-31", "2000-01-05", "start"),
        ("", "9999-12-31", "end"),
    ],
)
def test_a_bad_range_is_refused_on_its_field(start, end, field):
    with pytest.raises(InvalidInput) as refused:
        stats_period(start=start, end=end, today=TODAY)

    assert field in refused.value.fields


# --- the API ------------------------------------------------------------------------------------

def test_the_api_gives_the_numbers_to_a_member(store, merchant, busy_store):
    response = api_client_for(merchant).get(api_url(store), {"start": "2024-05-01", "end": "2024-05-03"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["start"] == "2024-05-01" and body["end"] == "2024-05-03"
    assert body["days"][1] == {"date": "2024-05-02", "sent": 2, "claimed": 3, "expired": 0, "declined": 0}
    assert body["totals"] == {"sent": 4, "claimed": 4, "expired": 1, "declined": 1, "units_sent": 7,
                              "units_claimed": 4}
    assert body["claim_rate"] == 0.5714 and body["median_seconds_to_claim"] == 6 * 3600
    assert body["revenue"] == [{"currency": "CNY", "amount_minor": 30000}, {"currency": "USD", "amount_minor": 1999}]
    assert body["shipments_overdue"] == 1


def test_the_api_default_range_is_30_days_with_nulls_when_nothing_happened(store, merchant):
    body = api_client_for(merchant).get(api_url(store)).json()

    assert len(body["days"]) == 30 and body["claim_rate"] is None and body["median_seconds_to_claim"] is None


def test_the_api_refuses_a_bad_range_with_the_error_shape(store, merchant):
    response = api_client_for(merchant).get(api_url(store), {"start": "2024-05-10", "end": "nope"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and set(response.json()["fields"]) == {"end"}


def test_the_api_is_for_the_store_members_only(store, api, other_api):
    someone_elses = StoreFactory(owner=UserFactory(username="rival"))

    anonymous = api.get(api_url(store))
    stranger = other_api.get(api_url(store))
    rival = api_client_for(someone_elses.members.get().user).get(api_url(store))
    missing = other_api.get("/api/v1/merchant/stores/no-such-store/stats/")

    assert anonymous.status_code == 401
    assert stranger.status_code == rival.status_code == missing.status_code == 404
    assert stranger.json() == missing.json()  # not yours and not there read the same


# --- the page -----------------------------------------------------------------------------------

def test_the_page_shows_cards_and_a_bar_per_number(store, merchant, busy_store):
    client = member_client(merchant)
    response = client.get(page_url(store, start="2024-05-01", end="2024-05-03"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="bar sent"') == 3 and html.count('class="bar claimed"') == 2
    assert html.count('class="bar expired"') == 1 and html.count('class="bar declined"') == 1
    assert "57%" in html  # claim rate 4 / 7
    assert "6 h 0 min" in html  # median time to claim
    assert "¥300.00" in html and "$19.99" in html
    queue = reverse("shipping:queue", kwargs={"slug": store.slug})
    assert f'href="{queue}?status=overdue"' in html  # the queue filtered on overdue parcels
    late = Shipment.objects.get(store=store, status=Shipment.Status.PENDING, ship_by__lt=Now())
    assert late.reference in client.get(f"{queue}?status=overdue").content.decode()
    assert 'value="2024-05-01"' in html and 'value="2024-05-03"' in html
    assert "css/stats.css" in html
    assert " style=" not in html  # CSP: sizes are SVG attributes, colours are classes


def test_the_page_offers_the_preset_ranges(store, merchant):
    html = member_client(merchant).get(page_url(store)).content.decode()

    for days in (7, 30, 90):
        assert f"Last {days} days" in html
    assert 'aria-current="page">Last 30 days' in html  # the default range is the 30-day preset


def test_the_page_has_an_empty_state_when_nothing_happened(store, merchant):
    response = member_client(merchant).get(page_url(store))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing happened between" in html and "<svg" not in html


def test_a_bad_date_is_a_form_error_on_the_page(store, merchant):
    response = member_client(merchant).get(page_url(store, start="2024-05-10", end="2024-05-01"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="errorlist"' in html and "must not be after" in html
    assert 'aria-invalid="true"' in html and "<svg" not in html


def test_the_page_is_for_the_store_members_only(store, other_user):
    rival = StoreFactory(owner=UserFactory(username="rival")).members.get().user

    anonymous = Client().get(page_url(store))
    stranger = member_client(other_user).get(page_url(store))
    other_store = member_client(rival).get(page_url(store))

    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    assert stranger.status_code == other_store.status_code == 404


# --- the chart ----------------------------------------------------------------------------------

def test_the_tallest_bar_fills_the_plot_and_bars_stand_on_the_axis():
    days = [{"date": date(2024, 5, 1) + timedelta(days=n), "sent": n, "claimed": 0, "expired": 0, "declined": 0}
            for n in range(5)]

    chart = build_chart(days)

    bars = [bar for column in chart["columns"] for bar in column["bars"]]
    assert [float(bar["height"]) for bar in bars] == [PLOT_HEIGHT / 4 * n for n in range(1, 5)]
    assert all(float(bar["y"]) + float(bar["height"]) == MARGIN_TOP + PLOT_HEIGHT for bar in bars)
    assert [tick["value"] for tick in chart["ticks"]] == [0, 1, 2, 3, 4]


def _days(count, **values):
    return [{"date": date(2024, 1, 1) + timedelta(days=n), "sent": 0, "claimed": 0, "expired": 0, "declined": 0,
             **values} for n in range(count)]


@pytest.mark.parametrize("count", [1, 7, 30, 90, 366])
def test_any_range_fills_the_charts_width_and_ends_on_a_labelled_last_day(count):
    chart = build_chart(_days(count, sent=1))

    columns = chart["columns"]
    assert float(columns[0]["x"].rstrip("%")) == 0  # the days share 100 % of the width, whatever their number
    last = columns[-1]
    assert float(last["x"].rstrip("%")) + float(last["width"].rstrip("%")) == pytest.approx(100)
    assert all(0 <= float(bar["x"].rstrip("%")) and float(bar["x"].rstrip("%")) + float(bar["width"].rstrip("%"))
               <= 100.001 for column in columns for bar in column["bars"])
    assert last["label_tier"] == 1  # today is labelled on any width
    for tier, cap in enumerate(LABEL_TIERS, start=1):  # at most 4 / 6 / 9 labels on a narrow / middle / wide frame
        assert 1 <= sum(1 for c in columns if c["label_tier"] and c["label_tier"] <= tier) <= cap


def test_a_long_range_stands_a_days_bars_in_front_of_each_other():
    week = build_chart(_days(7, sent=2, claimed=2))["columns"][0]["bars"]
    quarter = build_chart(_days(90, sent=2, claimed=2))["columns"][0]["bars"]

    assert len({bar["x"] for bar in week}) == 2  # side by side
    assert len({bar["x"] for bar in quarter}) == 2 and quarter[0]["width"] > quarter[1]["width"]  # the taller behind


def test_day_labels_thin_in_tiers_counted_back_from_the_last_day():
    assert label_steps(7) == (2, 2, 1)
    assert label_steps(30) == (14, 7, 7)  # weekly from today on a desktop
    assert label_steps(90) == (28, 28, 14)


def test_the_wait_reads_in_hours_and_minutes():
    assert format_wait(None) == "—"
    assert format_wait(30) == "under a minute"
    assert format_wait(45 * 60) == "45 min"
    assert format_wait(27 * 3600 + 5 * 60 + 59) == "27 h 5 min"


# --- query counts -------------------------------------------------------------------------------

def _activity(store, tea, sender, n):
    for i in range(n):
        gift = sent_at(paid_gift(sender=sender, variant=tea), at("2024-05-02", 9) + timedelta(hours=i % 12))
        claim(gift, f"friend{n}x{i}", accepted_at=at("2024-05-02", 22))
        purchase(sender, tea, at("2024-05-03", 9))


def _count_queries(fetch):
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("surface", ["page", "api"])
def test_the_query_count_does_not_grow_with_the_rows(store, tea, user, merchant, surface):
    query = {"start": "2024-05-01", "end": "2024-05-31"}
    if surface == "page":
        client = member_client(merchant)
        fetch = lambda: client.get(reverse("stats:store", kwargs={"slug": store.slug}), query)  # noqa: E731
    else:
        client = api_client_for(merchant)
        fetch = lambda: client.get(api_url(store), query)  # noqa: E731
    _activity(store, tea, user, 1)
    fetch()  # warm up the session and the token
    one = _count_queries(fetch)
    _activity(store, tea, user, 19)
    twenty = _count_queries(fetch)

    assert store_stats(store=store, period=stats_period(**query))["totals"]["sent"] == 20
    assert one == twenty, f"statistics for 1 row took {one} queries and for 20 took {twenty}: explain the difference"
