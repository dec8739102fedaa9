"""The embedded mode's mail backend: whole messages in files, credentials masked in the log."""

import io

from django.core.mail import EmailMessage

from giftshop.mail import MaskedConsoleBackend

BODY = (
    "Open the card: http://127.0.0.1:8000/g/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde/\n"
    "Stop these emails: http://127.0.0.1:8000/accounts/unsubscribe/Mg:1xYdRY:zbc4zUei5HjfL1/\n"
    "Reset: http://127.0.0.1:8000/accounts/password/reset/Mg/c4z-1234567890abcdef/\n"
)


def test_the_log_masks_every_credential_and_the_file_keeps_the_whole_message(tmp_path):
    stream = io.StringIO()
    backend = MaskedConsoleBackend(stream=stream, file_path=str(tmp_path))

    sent = backend.send_messages([EmailMessage("Hello", BODY, to=["fay@example.com"])])

    logged = stream.getvalue()
    assert sent == 1
    for secret in ("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "zbc4zUei5HjfL1", "c4z-1234567890abcdef"):
        assert secret not in logged
    assert "/g/<token>" in logged and "/accounts/unsubscribe/<token>" in logged
    [saved] = list(tmp_path.iterdir())
    assert "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" in saved.read_text()
