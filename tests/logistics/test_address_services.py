import pytest

from giftshop.errors import InvalidInput, NotFound
from logistics.models import Address
from logistics.selectors.addresses import access_address_by_id, address_list
from logistics.services.addresses import address_create, address_delete, address_set_default, address_update
from tests.factories import UserFactory


def _fields(**overrides):
    fields = {
        "recipient_name": "Li Lei",
        "phone": "+86 138-0013-8000",
        "country": "CN",
        "region": "Shanghai",
        "city": "Shanghai",
        "street": "88 Tianyaoqiao Road",
    }
    fields.update(overrides)
    return fields


def _defaults(user):
    return list(Address.objects.filter(user=user, is_default=True).values_list("id", flat=True))


# --- create --------------------------------------------------------------------------------

def test_the_first_address_is_the_default_whatever_is_default_says(user):
    address = address_create(user=user, is_default=False, **_fields())

    assert address.is_default
    assert _defaults(user) == [address.id]


def test_a_second_address_is_not_the_default_unless_asked(user):
    first = address_create(user=user, **_fields())

    second = address_create(user=user, **_fields(recipient_name="Han Meimei"))

    assert not second.is_default
    assert _defaults(user) == [first.id]


def test_a_new_default_address_moves_the_default(user):
    address_create(user=user, **_fields())

    second = address_create(user=user, is_default=True, **_fields(recipient_name="Han Meimei"))

    assert _defaults(user) == [second.id]


def test_defaults_are_per_user(user, other_user):
    mine = address_create(user=user, **_fields())

    theirs = address_create(user=other_user, **_fields())

    assert theirs.is_default
    assert _defaults(user) == [mine.id]


def test_create_strips_text_and_uppercases_the_country(user):
    address = address_create(user=user, **_fields(country=" us ", city="  Boston "), district=None)

    address.refresh_from_db()
    assert address.country == "US"
    assert address.city == "Boston"
    assert address.district == ""


@pytest.mark.parametrize("country", ["XX", "ZZ", "C", "CHN", "", "1A", "C N"])
def test_create_refuses_a_country_code_that_does_not_exist(user, country):
    with pytest.raises(InvalidInput) as exc:
        address_create(user=user, **_fields(country=country))

    assert "country" in exc.value.fields
    assert not Address.objects.exists()


@pytest.mark.parametrize("phone", ["1234", "1" * 25, "138 0013 800a", "(010) 1234", "-- -- -", "", "١٢٣٤٥٦"])
def test_create_refuses_a_bad_phone(user, phone):
    with pytest.raises(InvalidInput) as exc:
        address_create(user=user, **_fields(phone=phone))

    assert "phone" in exc.value.fields


@pytest.mark.parametrize("phone", ["12345", "+1 617-555-0100", "1" * 24])
def test_create_accepts_phones_of_digits_spaces_plus_and_dashes(user, phone):
    assert address_create(user=user, **_fields(phone=phone)).phone == phone


def test_create_reports_every_bad_field_at_once(user):
    with pytest.raises(InvalidInput) as exc:
        address_create(
            user=user,
            **_fields(recipient_name="", street="s" * 201, city="c" * 61, country="XX"),
            postal_code="p" * 17,
        )

    assert set(exc.value.fields) == {"recipient_name", "street", "city", "country", "postal_code"}


@pytest.mark.parametrize("field", ["recipient_name", "phone", "country", "city", "street"])
def test_create_refuses_values_that_are_not_text(user, field):
    with pytest.raises(InvalidInput) as exc:
        address_create(user=user, **_fields(**{field: 12345}))

    assert field in exc.value.fields


# --- update, default, delete ----------------------------------------------------------------

def test_update_changes_the_fields(user):
    address = address_create(user=user, **_fields())

    address_update(address=address, city="Hangzhou", country="cn", postal_code="310000")

    address.refresh_from_db()
    assert (address.city, address.country, address.postal_code) == ("Hangzhou", "CN", "310000")


def test_update_validates_like_create(user):
    address = address_create(user=user, **_fields())

    with pytest.raises(InvalidInput) as exc:
        address_update(address=address, phone="call me", country="QQ")

    assert set(exc.value.fields) == {"phone", "country"}
    address.refresh_from_db()
    assert address.phone == "+86 138-0013-8000"


def test_update_refuses_unknown_fields(user, other_user):
    address = address_create(user=user, **_fields())

    with pytest.raises(InvalidInput) as exc:
        address_update(address=address, user=other_user)

    assert "user" in exc.value.fields
    address.refresh_from_db()
    assert address.user == user


def test_update_with_is_default_moves_the_default(user):
    first = address_create(user=user, **_fields())
    second = address_create(user=user, **_fields(recipient_name="Han Meimei"))

    address_update(address=second, is_default=True)

    assert _defaults(user) == [second.id]
    first.refresh_from_db()
    assert not first.is_default


def test_the_default_cannot_be_unset_without_choosing_another(user):
    address = address_create(user=user, **_fields())

    with pytest.raises(InvalidInput) as exc:
        address_update(address=address, is_default=False)

    assert "is_default" in exc.value.fields
    assert _defaults(user) == [address.id]


def test_switching_the_default_back_and_forth_keeps_exactly_one(user):
    addresses = [address_create(user=user, **_fields(recipient_name=f"R{n}")) for n in range(3)]

    for address in [addresses[2], addresses[1], addresses[1], addresses[0], addresses[2]]:
        address_set_default(address=address)
        assert _defaults(user) == [address.id]


def test_deleting_the_default_promotes_the_oldest_remaining(user):
    first = address_create(user=user, **_fields(recipient_name="first"))
    second = address_create(user=user, **_fields(recipient_name="second"))
    third = address_create(user=user, **_fields(recipient_name="third"))
    address_set_default(address=third)

    address_delete(address=third)

    assert _defaults(user) == [first.id]
    address_delete(address=first)
    assert _defaults(user) == [second.id]
    address_delete(address=second)
    assert not Address.objects.filter(user=user).exists()


def test_deleting_another_address_keeps_the_default(user):
    first = address_create(user=user, **_fields())
    second = address_create(user=user, **_fields(recipient_name="Han Meimei"))

    address_delete(address=second)

    assert _defaults(user) == [first.id]


def test_a_stale_address_object_is_not_found(user):
    address = address_create(user=user, **_fields())
    stale = Address.objects.get(id=address.id)
    address_delete(address=address)

    with pytest.raises(NotFound):
        address_set_default(address=stale)
    with pytest.raises(NotFound):
        address_update(address=stale, city="Hangzhou")


# --- selectors -----------------------------------------------------------------------------

def test_address_list_is_yours_only_with_the_default_first(user, other_user):
    first = address_create(user=user, **_fields())
    second = address_create(user=user, is_default=True, **_fields(recipient_name="Han Meimei"))
    address_create(user=other_user, **_fields())

    assert list(address_list(user=user)) == [second, first]


def test_access_address_by_id_finds_yours(user):
    address = address_create(user=user, **_fields())

    assert access_address_by_id(user=user, address_id=address.id) == address
    assert access_address_by_id(user=user, address_id=str(address.id)) == address


@pytest.mark.parametrize("address_id", ["abc", "", "1.0", "-1", "1\n", "²", "١", "9" * 19, "9" * 40, None])
def test_access_address_by_id_refuses_malformed_ids(user, address_id):
    address_create(user=user, **_fields())

    with pytest.raises(NotFound):
        access_address_by_id(user=user, address_id=address_id)


def test_access_address_by_id_refuses_another_users_address(user):
    stranger = UserFactory(username="stranger")
    theirs = address_create(user=stranger, **_fields())

    with pytest.raises(NotFound):
        access_address_by_id(user=user, address_id=theirs.id)
