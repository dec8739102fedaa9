"""Secrets of this install alone, for the embedded mode (`make run`): made on first start, kept.

The repository holds no secret a running shop signs with. The first process to start (`make run`
migrates before honcho starts the web server, the worker and the beat) writes `var/secrets.env`
with mode 0600: a random Django secret key (card links and sessions are signed with it), the
sandbox payment and carrier webhook secrets, and the password of the demo accounts seed_demo makes.
Every later process, and every later run, reads the same file, so links stay valid across restarts.
A variable set in the environment (or in .env) wins over the file, as everywhere else in the settings.

Delete the file to rotate every secret at once: existing card links and sessions stop working.
"""

import os
import secrets
import tempfile
from pathlib import Path

NAMES = ("DJANGO_SECRET_KEY", "SANDBOX_PAYMENT_SECRET", "SANDBOX_CARRIER_SECRET", "DEMO_PASSWORD")


def _new():
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SANDBOX_PAYMENT_SECRET": "whsec_" + secrets.token_urlsafe(32),
        "SANDBOX_CARRIER_SECRET": "whsec_" + secrets.token_urlsafe(32),
        "DEMO_PASSWORD": "demo-" + secrets.token_urlsafe(9),  # printed by seed_demo, to whoever runs it
    }


def _read(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() in NAMES and value.strip():
            values[name.strip()] = value.strip()
    return values


def load_or_create(path: Path) -> dict[str, str]:
    """The install's secrets from `path`, creating the file (0600, never overwritten) if it is not
    there. Two processes starting at once both end up with the first one's file: the file is
    linked into place whole, and whoever loses the race reads the winner's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        values = _read(path)
    except FileNotFoundError:
        values = {}
    if all(name in values for name in NAMES):
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)  # a copy or an unpack loosened it: only the owner may read
        return values
    if values:  # a file of an older version, or edited by hand: keep what it has, add what is missing
        missing = {name: value for name, value in _new().items() if name not in values}
        with open(path, "a", encoding="utf-8") as file:
            file.writelines(f"{name}={value}\n" for name, value in missing.items())
        os.chmod(path, 0o600)
        return _read(path)
    text = "# Made by giftshop on first start; this install's own secrets. Keep private (mode 0600).\n"
    text += "".join(f"{name}={value}\n" for name, value in _new().items())
    # Written whole to a private temporary file, then linked into place: the link fails if the file
    # exists, so no process ever reads a half-written file or replaces another's secrets.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secrets-")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it a moment ago: use theirs
    finally:
        os.unlink(tmp)
    return _read(path)
