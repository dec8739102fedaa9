"""The benchmark's baseline views (bench/baseline.py, /_baseline/...) exist only under the bench
settings (giftshop/settings/bench.py, ROOT_URLCONF = bench.urls): a bare UPDATE endpoint with no
authentication must never be reachable in a shop that runs on any other settings."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import Resolver404, resolve

from tests.factories import ProductFactory

SETTINGS_DIR = Path(settings.BASE_DIR) / "giftshop" / "settings"


def baseline_requests(product_id):
    return [
        ("get", "/_baseline/a0/"),
        ("get", f"/_baseline/a1/{product_id}/"),
        ("post", "/_baseline/a3/1/"),
    ]


@pytest.mark.django_db
def test_the_baseline_urls_404_under_the_test_settings(client):
    product = ProductFactory()
    for method, url in baseline_requests(product.id):
        with pytest.raises(Resolver404):
            resolve(url)
        response = getattr(client, method)(url, data='{"user": 1}', content_type="application/json") \
            if method == "post" else client.get(url)
        assert response.status_code == 404, (method, url)


@pytest.mark.django_db
def test_the_same_requests_reach_the_baseline_under_the_bench_urlconf(client):
    """The probes above are the right ones: mounted as the bench settings mount them, they answer."""
    product = ProductFactory(title="Paper lantern")
    with override_settings(ROOT_URLCONF="bench.urls"):
        assert client.get("/_baseline/a0/").content == b"ok"
        response = client.get(f"/_baseline/a1/{product.id}/")
        assert response.status_code == 200
        assert b"Paper lantern" in response.content
        assert resolve("/_baseline/a3/1/").url_name == "baseline_a3"
        assert client.get("/healthz").status_code == 200  # and the shop's own URLs are still there


def test_only_the_bench_settings_mount_the_baseline():
    assert settings.ROOT_URLCONF == "giftshop.urls"
    for module in sorted(SETTINGS_DIR.glob("*.py")):
        if module.name == "bench.py":
            continue
        text = module.read_text()
        assert "bench.urls" not in text and "bench.baseline" not in text, module.name
    assert "bench" not in (Path(settings.BASE_DIR) / "giftshop" / "urls.py").read_text()
