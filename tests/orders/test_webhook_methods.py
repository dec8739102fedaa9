"""The payment webhook endpoint answers another method than POST in the API's error shape."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("provider", ["sandbox", "nope"])
def test_another_method_on_the_payment_webhook_is_a_json_405(client, method, provider):
    response = getattr(client, method)(f"/api/v1/payments/webhooks/{provider}/")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"
