"""Production settings refuse to start without real secrets, and pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = secrets.token_urlsafe(60)
# A production shop with the sandbox provider (SANDBOX_PAYMENTS_ENABLED and a secret of its own); Stripe: below.
PAYMENTS = {"SANDBOX_PAYMENTS_ENABLED": "1", "SANDBOX_PAYMENT_SECRET": secrets.token_urlsafe(32)}
SETUP = "import django; django.setup(); print('started')"


def _run(args, **env):
    # Empty values are set on purpose: a developer's .env must not fill them in (real variables win).
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full = {**clean, "DJANGO_SETTINGS_MODULE": "giftshop.settings.production", **env}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("secret", "hosts", "complaint"),
    [
        ("", "shop.example.com", "DJANGO_SECRET_KEY"),
        ("short-key", "shop.example.com", "DJANGO_SECRET_KEY"),
        ("django-insecure-" + GOOD_KEY, "shop.example.com", "DJANGO_SECRET_KEY"),
        ("a" * 60, "shop.example.com", "DJANGO_SECRET_KEY"),
        (GOOD_KEY, "", "DJANGO_ALLOWED_HOSTS"),
        (GOOD_KEY, "*", "DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_and_hosts(secret, hosts, complaint):
    result = _run(["-c", SETUP], DJANGO_SECRET_KEY=secret, DJANGO_ALLOWED_HOSTS=hosts)

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr, result.stderr[-2000:]


def test_production_starts_with_a_real_secret_and_hosts():
    result = _run(["-c", SETUP], DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="shop.example.com", **PAYMENTS)

    assert result.returncode == 0, result.stderr[-2000:]
    assert "started" in result.stdout


def test_production_passes_the_deployment_checks():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="shop.example.com,www.shop.example.com",
        DATABASE_URL="postgres://giftshop@db.internal:5432/giftshop",
        **PAYMENTS,
    )

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "System check identified no issues" in result.stdout


def test_the_deployment_checks_do_fail_on_a_weakened_production():
    # The check above can fail: with HSTS off, Django warns and the command exits non-zero.
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="shop.example.com",
        DJANGO_SECURE_HSTS_SECONDS="0",
        **PAYMENTS,
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def _sandboxes_in_production(**env):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.PAYMENT_PROVIDERS), sorted(settings.CARRIERS), settings.DISPATCH_CARRIERS)"
    )
    return _run(["-c", code], DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="shop.example.com", **env)


def test_production_refuses_to_start_without_a_payment_provider():
    result = _sandboxes_in_production()

    assert result.returncode != 0
    assert "PAYMENT_PROVIDER" in result.stderr


def test_production_has_no_sandbox_carrier_unless_switched_on():
    result = _sandboxes_in_production(**PAYMENTS)

    assert result.returncode == 0, result.stderr[-2000:]
    providers, carriers = result.stdout.split("] [")[:2]
    assert "sandbox" not in carriers  # no sandbox carrier pushes


@pytest.mark.parametrize("switch, secret", [("SANDBOX_PAYMENTS_ENABLED", "SANDBOX_PAYMENT_SECRET"),
                                            ("SANDBOX_CARRIER_ENABLED", "SANDBOX_CARRIER_SECRET")])
def test_a_production_sandbox_needs_a_secret_of_its_own(switch, secret):
    refused = _sandboxes_in_production(**{**PAYMENTS, switch: "1", secret: ""})
    accepted = _sandboxes_in_production(**{**PAYMENTS, switch: "1", secret: secrets.token_urlsafe(32)})

    assert refused.returncode != 0 and secret in refused.stderr
    assert accepted.returncode == 0, accepted.stderr[-2000:]
    assert "sandbox" in accepted.stdout


@pytest.mark.parametrize(
    ("module", "env", "expected"),
    [
        # honcho gives the worker PORT=5100: its links must still point at the one web address.
        ("giftshop.settings.local", {"PORT": "5100"}, "http://127.0.0.1:8000"),
        ("giftshop.settings.local", {"PORT": "5100", "SITE_URL": "http://127.0.0.1:8123/"}, "http://127.0.0.1:8123"),
        (
            "giftshop.settings.production",
            {"PORT": "5100", "DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "shop.example.com", **PAYMENTS},
            "https://shop.example.com",
        ),
    ],
)
def test_every_process_gets_the_same_site_url_whatever_its_port(module, env, expected):
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL") and not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


STRIPE_LIVE = {"PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_urlsafe(24),
               "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_urlsafe(24)}


def test_production_takes_stripe_with_its_keys_and_offers_no_sandbox():
    result = _sandboxes_in_production(**STRIPE_LIVE)

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("['stripe']")


def test_a_payment_form_may_redirect_to_the_configured_providers_checkout_only():
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])")
    stripe = _run(["-c", code], DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="shop.example.com", **STRIPE_LIVE)
    sandbox = _run(["-c", code], DJANGO_SETTINGS_MODULE="giftshop.settings.test")

    assert stripe.stdout.strip() == "[\"'self'\", 'https://checkout.stripe.com']", stripe.stderr[-2000:]
    assert sandbox.stdout.strip() == "[\"'self'\"]", sandbox.stderr[-2000:]


@pytest.mark.parametrize("missing", ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"])
def test_production_refuses_stripe_without_both_keys(missing):
    result = _sandboxes_in_production(**{**STRIPE_LIVE, missing: ""})

    assert result.returncode != 0 and "PAYMENT_PROVIDER='stripe' is not configured" in result.stderr


@pytest.mark.parametrize(("key", "warned"), [("sk_test_", True), ("sk_live_", False)])
def test_the_deployment_checks_warn_of_a_stripe_test_mode_key(key, warned):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="shop.example.com",
        DATABASE_URL="postgres://giftshop@db.internal:5432/giftshop",
        **{**STRIPE_LIVE, "STRIPE_SECRET_KEY": key + secrets.token_urlsafe(24)},
    )

    assert ("orders.W001" in result.stdout + result.stderr) is warned
    assert (result.returncode != 0) is warned, result.stdout[-2000:] + result.stderr[-2000:]


def test_production_takes_wechat_pay_only_with_every_key():
    from tests.fakes.wechatpay_server import FakeWeChatPay

    fake = FakeWeChatPay()
    fake.server.server_close()  # only its keys are wanted here
    values = fake.settings()
    env = {name: value for name, value in values.items() if name != "WECHATPAY_PLATFORM_KEYS"}
    keys = values["WECHATPAY_PLATFORM_KEYS"]
    env["WECHATPAY_PLATFORM_KEYS"] = ";".join(f"{serial}={pem}" for serial, pem in keys.items())
    env["PAYMENT_PROVIDER"] = "wechatpay"

    result = _sandboxes_in_production(**env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("['wechatpay']")
    short_key = _sandboxes_in_production(**{**env, "WECHATPAY_APIV3_KEY": "too-short"})
    assert short_key.returncode != 0 and "PAYMENT_PROVIDER='wechatpay' is not configured" in short_key.stderr
