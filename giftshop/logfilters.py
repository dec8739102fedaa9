"""Card tokens never appear in logs: a logging filter for every handler, a gunicorn access logger
that masks them in request lines, and the log line of a card view's error answer (DESIGN §2
"Tokens never appear in logs")."""

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

TOKEN_IN_PATH = re.compile(r"(/g/|/claims/)[^/\s?\"']+")
TOKEN_SHOWN_AS = "<token>"  # noqa: S105  # nosec B105: the placeholder shown instead of a token, not a secret
MASK = rf"\1{TOKEN_SHOWN_AS}"

request_logger = logging.getLogger("django.request")


def mask_tokens(text: str, token: str = "") -> str:  # nosec B107: no token by default, not a password
    """The text with every card token in it masked: what follows /g/ or /claims/ and, when the view
    knows it, the token itself wherever it stands (a malformed token may hold a character the
    pattern stops at)."""
    if token:
        text = text.replace(token, TOKEN_SHOWN_AS)
    return TOKEN_IN_PATH.sub(MASK, text)


def log_response_token_masked(request, response, token: str) -> None:
    """For a view whose path holds a card token: log an error answer (4xx, 5xx) as Django would,
    with the token masked, and mark it logged so django.utils.log.log_response does not log the
    path again."""
    if response.status_code < 400:
        return
    level = logging.ERROR if response.status_code >= 500 else logging.WARNING
    request_logger.log(level, "%s: %s", response.reason_phrase, mask_tokens(request.path, token),
                       extra={"status_code": response.status_code})
    response._has_been_logged = True


class MaskCardTokens(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class MaskingGunicornLogger(GunicornLogger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # The request line, the query, the Referer (f) and any logged header can hold a card URL.
        for key, value in atoms.items():
            if isinstance(value, str) and (key in ("r", "U", "q", "f") or key.endswith(("}i", "}e"))):
                atoms[key] = mask_tokens(value)
        return atoms
