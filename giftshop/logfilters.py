"""Card tokens never appear in logs: a logging filter for every handler, and a gunicorn access
logger that masks them in request lines (DESIGN §2 "Tokens never appear in logs")."""

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

TOKEN_IN_PATH = re.compile(r"(/g/|/claims/)[^/\s?\"']+")
MASK = r"\1<token>"


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(MASK, text)


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
