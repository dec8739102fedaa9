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
        for key in ("r", "U", "q", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = mask_tokens(atoms[key])
        return atoms
