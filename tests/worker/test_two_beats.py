"""Two `celery beat` processes by mistake (two machines each started one): every periodic job is
sent twice, and still each gift expires once and is refunded once, because expiry is a conditional
UPDATE on the gift row (status open, window over), not a "this beat owns it" assumption."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models.functions import Now

from gifts.models import Gift
from orders.models import Refund
from tests.factories import UserFactory, VariantFactory
from tests.gifts.helpers import paid_gift
from tests.worker.conftest import current_database_url, stop_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DEADLINE_SECONDS = 60


def start_beat(folder, url, name):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "giftshop.settings.test", "DATABASE_URL": url,
           "PYTHONUNBUFFERED": "1"}
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env["CELERY_BROKER_DIR"] = str(settings.BROKER_DIR)
    log = open(folder / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "giftshop", "beat", "--loglevel", "INFO",
         "--schedule", str(folder / f"{name}-schedule")],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def test_two_beats_still_expire_each_gift_once(celery_worker, django_db_blocker, tmp_path):
    gifts = [paid_gift(sender=UserFactory(), variant=VariantFactory(stock=5, price_minor=900), quantity=2,
                       mode="group") for _ in range(3)]
    Gift.objects.filter(id__in=[g.id for g in gifts]).update(expires_at=Now() - timedelta(seconds=1))
    url = current_database_url(django_db_blocker)
    beats = [start_beat(tmp_path, url, f"beat{n}") for n in (1, 2)]
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            expired = Gift.objects.filter(id__in=[g.id for g in gifts], status=Gift.Status.EXPIRED).count()
            sends = [(tmp_path / f"beat{n}.log").read_text().count("gifts.tasks.expire_gifts") for n in (1, 2)]
            if expired == 3 and all(sends):
                break
            time.sleep(1)
        time.sleep(3)  # let the second beat's run finish too
    finally:
        for beat in beats:
            stop_worker(beat)
    assert all(sends), (sends, celery_worker.log()[-3000:])  # both beats sent the job
    for gift in Gift.objects.filter(id__in=[g.id for g in gifts]):
        assert gift.status == Gift.Status.EXPIRED
        [refund] = Refund.objects.filter(payment__order__gift=gift)
        assert refund.reason == Refund.Reason.EXPIRED and refund.amount_minor == 2 * 900
