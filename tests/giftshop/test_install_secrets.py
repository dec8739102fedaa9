"""The embedded mode signs with secrets of its own install (issue 11): none is in the repository,
each install makes its own on first start (var/secrets.env, mode 0600) and keeps them, and DEBUG is
off unless asked for."""

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from giftshop.settings import install_secrets

ROOT = Path(__file__).resolve().parents[2]


def _local_settings(tmp_path, **env):
    """The values `make run`'s processes get, read in a fresh interpreter (settings run once)."""
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "from gifts.tokens import gift_token;"
        "print(json.dumps({k: getattr(settings, k) for k in ('SECRET_KEY', 'SANDBOX_PAYMENT_SECRET',"
        " 'SANDBOX_CARRIER_SECRET', 'DEBUG', 'ALLOWED_HOSTS')} | {'token': gift_token(gift_id=3, version=1)}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SANDBOX_", "GIFT_TOKEN"))}
    clean |= {"DJANGO_SETTINGS_MODULE": "giftshop.settings.local", "SECRETS_FILE": str(tmp_path / "secrets.env"),
              "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"} | env
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_fresh_install_makes_its_own_secrets_private_to_its_owner(tmp_path):
    values = install_secrets.load_or_create(tmp_path / "var" / "secrets.env")

    assert set(values) == set(install_secrets.NAMES)
    assert len(values["DJANGO_SECRET_KEY"]) >= 50 and len(set(values["DJANGO_SECRET_KEY"])) > 20
    assert stat.S_IMODE((tmp_path / "var" / "secrets.env").stat().st_mode) == 0o600


def test_the_secrets_are_kept_across_restarts_and_differ_between_installs(tmp_path):
    first = install_secrets.load_or_create(tmp_path / "a.env")
    again = install_secrets.load_or_create(tmp_path / "a.env")
    other = install_secrets.load_or_create(tmp_path / "b.env")

    assert again == first
    assert all(other[name] != first[name] for name in install_secrets.NAMES)


def test_a_loosened_file_is_made_private_again_and_a_partial_one_completed(tmp_path):
    path = tmp_path / "secrets.env"
    path.write_text("DJANGO_SECRET_KEY=kept-by-hand-" + "x" * 50 + "\n")
    path.chmod(0o644)

    values = install_secrets.load_or_create(path)

    assert values["DJANGO_SECRET_KEY"] == "kept-by-hand-" + "x" * 50
    assert set(values) == set(install_secrets.NAMES)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_processes_starting_at_once_agree_on_one_set(tmp_path):
    path, seen = tmp_path / "secrets.env", []
    threads = [threading.Thread(target=lambda: seen.append(install_secrets.load_or_create(path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(seen) == 8 and all(values == seen[0] for values in seen)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".secrets-")]  # no temporary file left


def test_make_run_signs_with_this_install_s_secrets_not_the_repository_s(tmp_path):
    one = _local_settings(tmp_path / "one")
    one_again = _local_settings(tmp_path / "one")
    two = _local_settings(tmp_path / "two")

    stored = install_secrets._read(tmp_path / "one" / "secrets.env")
    assert one["SECRET_KEY"] == stored["DJANGO_SECRET_KEY"]
    assert one["SANDBOX_PAYMENT_SECRET"] == stored["SANDBOX_PAYMENT_SECRET"]
    assert one["SANDBOX_CARRIER_SECRET"] == stored["SANDBOX_CARRIER_SECRET"]
    # The card link of gift 3 cannot be computed from the repository: it differs per install.
    assert one_again["token"] == one["token"] != two["token"]
    assert one["SANDBOX_CARRIER_SECRET"] != two["SANDBOX_CARRIER_SECRET"]


def test_debug_is_off_in_make_run_unless_asked_for(tmp_path):
    assert _local_settings(tmp_path)["DEBUG"] is False
    assert _local_settings(tmp_path, DJANGO_DEBUG="1")["DEBUG"] is True


def test_the_environment_still_wins_over_the_file(tmp_path):
    values = _local_settings(tmp_path, DJANGO_SECRET_KEY="from-the-environment-" + "k" * 40)

    assert values["SECRET_KEY"] == "from-the-environment-" + "k" * 40


def test_no_settings_module_carries_a_secret_a_running_shop_would_sign_with():
    for name in ("base.py", "local.py", "production.py", "media.py"):
        text = (ROOT / "giftshop" / "settings" / name).read_text()
        assert "django-insecure-dev" not in text and "development_only" not in text, name


def test_signing_with_an_empty_secret_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from giftshop import signing

    with pytest.raises(ImproperlyConfigured):
        signing.sign("", b"{}")
    with pytest.raises(ImproperlyConfigured):
        signing.verify("", signing.sign("s", b"{}"), b"{}")
