import time

from celery import shared_task

from gifts.services.lifecycle import gifts_draw_due, gifts_expire_due, gifts_remind_due

# The beat sends expire_gifts every 15 s: one run keeps taking due gifts (gifts_expire_due's batches
# of `limit`) for up to this long, so a wave of gifts due at once is worked off at the worker's own
# speed, not 200 per beat. Under the period, so runs do not pile up.
EXPIRE_BUDGET_SECONDS = 12.0


@shared_task(name="gifts.tasks.expire_gifts")
def expire_gifts():
    totals = {"drawn": 0, "expired": 0, "winners_refunded": 0}
    deadline = time.monotonic() + EXPIRE_BUDGET_SECONDS
    while True:
        done = gifts_expire_due()
        for key, value in done.items():
            totals[key] = totals.get(key, 0) + value
        if not any(done.values()) or time.monotonic() >= deadline:
            return totals


@shared_task(name="gifts.tasks.draw_lotteries")
def draw_lotteries():
    return gifts_draw_due()


@shared_task(name="gifts.tasks.send_reminders")
def send_reminders():
    return gifts_remind_due()
