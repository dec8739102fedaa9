"""Text messages, through an adapter (settings.SMS_BACKEND) like Django's mail backends.

`sms_send(to=..., text=...)` hands one message to the backend. The default, `FileBackend`, writes
each message whole to a file under SMS_FILE_PATH (var/sms/ in the embedded mode: the shop's owner
can read and forward it) and logs only that a message went, to a masked number. A real provider
(Twilio, Aliyun SMS, ...) is one class with a `send(to, text)` method, named in SMS_BACKEND; it
raises on failure, and the outbox retries. Phone numbers are personal data: never in a log whole.
"""

import logging
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

_SEPARATORS = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"\+?[0-9]{6,15}")


def phone_normalized(value) -> str:
    """"+86 138-0013-8000" -> "+8613800138000"; raises ValueError for anything that is not a phone
    number (6 to 15 digits, E.164's maximum, with an optional leading +)."""
    phone = _SEPARATORS.sub("", value) if isinstance(value, str) else ""
    if not _PHONE.fullmatch(phone):
        raise ValueError("not a phone number")
    return phone


def phone_masked(phone: str) -> str:
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


class FileBackend:
    def __init__(self, path=None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, *, to: str, text: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.txt"  # sorts in sending order
        (self.path / name).write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")


def sms_send(*, to: str, text: str) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(to=to, text=text)
    logger.info("sms: a message of %s characters to %s", len(text), phone_masked(to))
