"""POST /api/v1/claims/<token>/ with a typed address the address book refuses: the errors are named
`address.<field>`, as the serializer's and the service's own checks of that address are (they came
back as plain `phone`, `country`: a field this endpoint does not have)."""

import pytest

from gifts.models import Claim
from logistics.models import Address

pytestmark = pytest.mark.django_db

TYPED = {"recipient_name": "Han", "phone": "123456", "country": "CN", "region": "R", "city": "C", "street": "S"}


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"phone": "call me"}, {"address.phone"}),
        ({"country": "ZZ"}, {"address.country"}),
        ({"phone": "x", "country": "ZZ"}, {"address.phone", "address.country"}),
    ],
)
def test_a_typed_address_the_book_refuses_names_its_fields_under_address(other_api, other_user, open_gift,
                                                                           change, fields):
    _, token = open_gift()

    response = other_api.post(f"/api/v1/claims/{token}/", {"address": {**TYPED, **change}}, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == fields
    assert not Claim.objects.exists() and not Address.objects.filter(user=other_user).exists()
