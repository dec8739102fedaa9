import re

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from giftshop.models import OutboxMessage
from giftshop.outbox import outbox_deliver, outbox_relay
from tests.factories import UserFactory

NEW_PASSWORD = "plum-blossom-42"


def _reset_path(body):
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_reset_mail_goes_through_the_outbox_and_its_link_sets_a_new_password(client, db, settings):
    settings.SITE_URL = "https://shop.example"
    UserFactory(username="wei", email="wei@example.com")

    # when the form is posted, a message is written, but nothing is sent yet
    response = client.post(reverse("accounts:password_reset"), {"email": "WEI@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    message = OutboxMessage.objects.get(topic="accounts.email")
    assert message.key.startswith("email:reset:")
    assert message.payload["to"] == ["wei@example.com"]
    assert mail.outbox == []

    # when the outbox is relayed, the mail is sent, with a link to the public site address
    outbox_relay()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["wei@example.com"]
    assert "password" in email.subject.lower()
    assert "https://shop.example/accounts/password/reset/" in email.body
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED

    # the link works: it leads to the form, which sets the password
    form_page = client.get(_reset_path(email.body), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert client.get(done["Location"]).status_code == 200

    # and the new password logs in
    login = client.post(reverse("accounts:login"), {"username": "wei", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert SESSION_KEY in client.session


def test_reset_link_works_only_once(client, db):
    UserFactory(username="wei", email="wei@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "wei@example.com"})
    outbox_relay()
    path = _reset_path(mail.outbox[0].body)
    form_page = client.get(path, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(path, follow=True)

    assert again.status_code == 200
    assert again.context["validlink"] is False


def test_reset_for_an_unknown_email_writes_nothing_but_looks_the_same(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert not OutboxMessage.objects.exists()


def test_reset_pages_render(client, db):
    assert client.get(reverse("accounts:password_reset")).status_code == 200
    assert client.get(reverse("accounts:password_reset_done")).status_code == 200
    bad_link = client.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": "xx", "token": "yy"}))
    assert bad_link.status_code == 200
    assert bad_link.context["validlink"] is False


def test_a_mail_relayed_twice_is_sent_once(client, db):
    UserFactory(username="wei", email="wei@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "wei@example.com"})
    message = OutboxMessage.objects.get(topic="accounts.email")
    outbox_relay()
    assert len(mail.outbox) == 1
    # A relay that died after sending, before marking the row delivered, leaves it as it was:
    # pending, with its payload (a delivered row's payload is wiped, which alone would stop a resend).
    OutboxMessage.objects.filter(id=message.id).update(status=OutboxMessage.Status.PENDING, payload=message.payload)

    result = outbox_deliver(message_id=message.id)

    assert result == "delivered"
    assert len(mail.outbox) == 1
