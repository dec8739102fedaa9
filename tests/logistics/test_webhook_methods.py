"""The carriers' push endpoint answers another method than POST in the API's error shape."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("carrier", ["sandbox", "aftership", "kuaidi100", "nope"])
def test_another_method_on_the_carrier_webhook_is_a_json_405(client, method, carrier):
    response = getattr(client, method)(f"/api/v1/logistics/webhooks/{carrier}/")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"
