from celery import shared_task

from gifts.services.lifecycle import gifts_draw_due, gifts_expire_due, gifts_remind_due


@shared_task(name="gifts.tasks.expire_gifts")
def expire_gifts():
    return gifts_expire_due()


@shared_task(name="gifts.tasks.draw_lotteries")
def draw_lotteries():
    return gifts_draw_due()


@shared_task(name="gifts.tasks.send_reminders")
def send_reminders():
    return gifts_remind_due()
