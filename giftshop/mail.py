"""The embedded mode's mail: each message whole in a file under var/mail/ (for the shop's owner to
read or forward), and in the worker's log with every credential masked. Card links, one-click
unsubscribe links and password-reset links are bearer credentials: a log must never hold them
(issue 9). Production sends through SMTP (EMAIL_BACKEND) and logs no message bodies."""

import re

from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend

from giftshop.logfilters import TOKEN_SHOWN_AS, mask_tokens

# The credential part of the shop's other bearer links (card links are masked by mask_tokens).
_SECRET_IN_PATH = re.compile(r"(/accounts/unsubscribe/|/accounts/password/reset/[^/\s]+/)[^/\s\"'<>]+")


def mask_credentials(text: str) -> str:
    return _SECRET_IN_PATH.sub(lambda m: m.group(1) + TOKEN_SHOWN_AS, mask_tokens(text))


class MaskedConsoleBackend(ConsoleBackend):
    """Writes each message whole to EMAIL_FILE_PATH, and masked to the console."""

    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._files = FileBackend(file_path=file_path, fail_silently=self.fail_silently)

    def send_messages(self, email_messages):
        if email_messages:
            self._files.send_messages(email_messages)
        return super().send_messages(email_messages)

    def write_message(self, message):
        data = message.message().as_bytes().decode("utf-8", errors="replace")
        self.stream.write(mask_credentials(data) + "\n" + "-" * 79 + "\n")
