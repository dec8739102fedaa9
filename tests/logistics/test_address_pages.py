import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from logistics.models import Address
from logistics.services.addresses import address_create
from tests.factories import UserFactory

FORM = {
    "recipient_name": "Li Lei",
    "phone": "13800138000",
    "country": "cn",
    "region": "Shanghai",
    "city": "Shanghai",
    "district": "Xuhui",
    "street": "88 Tianyaoqiao Road",
    "postal_code": "200030",
}


def _address(user, **overrides):
    fields = {k: v for k, v in FORM.items()}
    fields.update(overrides)
    return address_create(user=user, **fields)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


# --- denied --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("logistics:addresses", {}),
        ("logistics:address_create", {}),
        ("logistics:address_edit", {"address_id": 1}),
        ("logistics:address_delete", {"address_id": 1}),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, name, kwargs):
    url = reverse(name, kwargs=kwargs)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_anonymous_make_default_is_sent_to_log_in(client, user):
    address = _address(user)

    response = client.post(reverse("logistics:address_default", kwargs={"address_id": address.id}))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_users_address_is_a_404_everywhere(signed_in, other_user):
    theirs = _address(other_user)
    theirs_too = _address(other_user, recipient_name="Second")
    kwargs = {"address_id": theirs.id}

    assert signed_in.get(reverse("logistics:address_edit", kwargs=kwargs)).status_code == 404
    assert signed_in.post(reverse("logistics:address_edit", kwargs=kwargs), FORM).status_code == 404
    assert signed_in.get(reverse("logistics:address_delete", kwargs=kwargs)).status_code == 404
    assert signed_in.post(reverse("logistics:address_delete", kwargs=kwargs)).status_code == 404
    forbidden = signed_in.post(reverse("logistics:address_default", kwargs={"address_id": theirs_too.id}))
    assert forbidden.status_code == 404
    assert Address.objects.filter(user=other_user).count() == 2
    assert Address.objects.get(id=theirs.id).is_default


def test_an_address_id_too_big_for_the_database_is_a_404(signed_in):
    assert signed_in.get(f"/me/addresses/{'9' * 30}/edit/").status_code == 404


# --- hub -----------------------------------------------------------------------------------


def test_orders_and_cards_links_profile_and_addresses(signed_in):
    # The console link is for store members only: tests/gifts/test_wallet_pages.py holds that rule.
    response = signed_in.get(reverse("wallet:home"))

    assert response.status_code == 200
    for name in ("accounts:profile", "logistics:addresses"):
        assert f'href="{reverse(name)}"'.encode() in response.content


# --- list ----------------------------------------------------------------------------------


def test_an_empty_address_book_says_what_to_do(signed_in):
    response = signed_in.get(reverse("logistics:addresses"))

    assert response.status_code == 200
    assert b"No saved addresses yet" in response.content
    assert reverse("logistics:address_create").encode() in response.content


def test_the_list_shows_only_your_addresses_default_first(signed_in, user, other_user):
    _address(user, recipient_name="Old Default")
    _address(user, recipient_name="New Default", is_default=True)
    _address(other_user, recipient_name="Somebody Else")

    response = signed_in.get(reverse("logistics:addresses"))

    assert response.status_code == 200
    names = [a.recipient_name for a in response.context["addresses"]]
    assert names == ["New Default", "Old Default"]
    assert b"Somebody Else" not in response.content


def test_the_list_is_paginated_by_20(signed_in, user):
    for n in range(21):
        _address(user, recipient_name=f"R{n:02d}")

    first = signed_in.get(reverse("logistics:addresses"))
    second = signed_in.get(reverse("logistics:addresses"), {"page": 2})
    junk = signed_in.get(reverse("logistics:addresses"), {"page": "x" * 500})

    assert len(first.context["addresses"]) == 20
    assert [a.recipient_name for a in second.context["addresses"]] == ["R20"]
    assert b'rel="next"' in first.content
    assert junk.status_code == 200


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("logistics:addresses"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_makes_as_many_queries_for_20_addresses_as_for_1(client, db):
    one, twenty = UserFactory(username="one"), UserFactory(username="twenty")
    _address(one)
    for n in range(20):
        _address(twenty, recipient_name=f"R{n}")

    client.force_login(one)
    queries_for_one = _list_queries(client)
    client.force_login(twenty)
    queries_for_twenty = _list_queries(client)

    assert queries_for_one == queries_for_twenty, "the address list must not query once per address"


# --- create, edit --------------------------------------------------------------------------


def test_add_page_renders_with_cn_as_the_default_country(signed_in):
    response = signed_in.get(reverse("logistics:address_create"))

    assert response.status_code == 200
    assert response.context["form"]["country"].value() == "CN"


def test_adding_the_first_address_makes_it_the_default(signed_in, user):
    response = signed_in.post(reverse("logistics:address_create"), FORM, follow=True)

    assert response.redirect_chain[-1][0] == reverse("logistics:addresses")
    address = Address.objects.get(user=user)
    assert address.is_default
    assert address.country == "CN"
    assert "Address saved." in [str(m) for m in response.context["messages"]]


def test_adding_a_default_address_moves_the_default(signed_in, user):
    first = _address(user)

    signed_in.post(reverse("logistics:address_create"), {**FORM, "recipient_name": "Han", "is_default": "on"})

    first.refresh_from_db()
    assert not first.is_default
    assert Address.objects.get(user=user, is_default=True).recipient_name == "Han"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"country": "XX"}, "country"),
        ({"phone": "call me maybe"}, "phone"),
        ({"street": "s" * 5000}, "street"),
        ({"recipient_name": ""}, "recipient_name"),
        ({"city": "c" * 61}, "city"),
    ],
)
def test_adding_a_bad_address_shows_the_errors(signed_in, user, overrides, field):
    response = signed_in.post(reverse("logistics:address_create"), {**FORM, **overrides})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Address.objects.filter(user=user).exists()


def test_adding_with_missing_fields_shows_the_errors(signed_in, user):
    response = signed_in.post(reverse("logistics:address_create"), {})

    assert response.status_code == 200
    assert {"recipient_name", "phone", "region", "city", "street"} <= set(response.context["form"].errors)


def test_a_bad_phone_and_country_are_shown_beside_missing_fields(signed_in, user):
    response = signed_in.post(reverse("logistics:address_create"), {"phone": "abc", "country": "xx"})

    assert response.status_code == 200
    assert {"recipient_name", "phone", "country", "street"} <= set(response.context["form"].errors)


def test_editing_an_address_saves_it(signed_in, user):
    address = _address(user)
    url = reverse("logistics:address_edit", kwargs={"address_id": address.id})

    page = signed_in.get(url)
    response = signed_in.post(url, {**FORM, "city": "Hangzhou"})

    assert page.status_code == 200
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.city == "Hangzhou"
    assert address.is_default


def test_editing_with_bad_input_changes_nothing(signed_in, user):
    address = _address(user)

    response = signed_in.post(
        reverse("logistics:address_edit", kwargs={"address_id": address.id}), {**FORM, "country": "ZZ"}
    )

    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    address.refresh_from_db()
    assert address.country == "CN"


def test_the_default_address_form_has_no_default_checkbox(signed_in, user):
    default = _address(user)
    other = _address(user, recipient_name="Han")

    default_page = signed_in.get(reverse("logistics:address_edit", kwargs={"address_id": default.id}))
    other_page = signed_in.get(reverse("logistics:address_edit", kwargs={"address_id": other.id}))

    assert b'name="is_default"' not in default_page.content
    assert b'name="is_default"' in other_page.content


# --- delete, make default ------------------------------------------------------------------


def test_delete_asks_first_then_deletes_and_promotes_the_oldest(signed_in, user):
    default = _address(user, recipient_name="Default")
    oldest = _address(user, recipient_name="Oldest")
    _address(user, recipient_name="Newest")
    url = reverse("logistics:address_delete", kwargs={"address_id": default.id})

    confirm = signed_in.get(url)
    assert confirm.status_code == 200
    assert Address.objects.filter(id=default.id).exists()

    response = signed_in.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("logistics:addresses")
    assert not Address.objects.filter(id=default.id).exists()
    assert list(Address.objects.filter(user=user, is_default=True)) == [oldest]


def test_make_default_switches_the_default(signed_in, user):
    first = _address(user)
    second = _address(user, recipient_name="Han")
    url = reverse("logistics:address_default", kwargs={"address_id": second.id})

    assert signed_in.get(url).status_code == 405
    response = signed_in.post(url)

    assert response.status_code == 302
    assert list(Address.objects.filter(user=user, is_default=True)) == [second]
    first.refresh_from_db()
    assert not first.is_default


def test_adding_an_address_from_the_buy_page_goes_back_there(signed_in, user):
    back = "/orders/new/?variant=7"

    response = signed_in.post(
        reverse("logistics:address_create") + "?next=" + back.replace("?", "%3F").replace("=", "%3D"), FORM
    )

    assert response.status_code == 302
    assert response["Location"] == back
    assert Address.objects.filter(user=user).count() == 1


def test_a_next_pointing_to_another_site_is_ignored(signed_in, user):
    response = signed_in.post(reverse("logistics:address_create") + "?next=https://evil.example/", FORM)

    assert response.status_code == 302
    assert response["Location"] == reverse("logistics:addresses")
