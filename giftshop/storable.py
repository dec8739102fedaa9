"""What a database column cannot keep, told before it is written: PostgreSQL refuses the NUL
character in text and jsonb, and jsonb refuses NaN and the infinities; no database takes a lone
surrogate (JSON's "\\ud800" escape decodes to one, and UTF-8 cannot encode it). Data from outside
(signed webhooks, whose fields no serializer checks) is refused with a 400 instead of a 500.
Imports no app."""

import math
import re

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def unstorable(value) -> str | None:
    """Why `value` (a str, or JSON-like dicts, lists and scalars, nested) cannot be stored as text or
    jsonb, or None if it can. Iterative: a value nested a thousand deep is no RecursionError here."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "a NUL character"
            if not item.isascii() and _SURROGATE_RE.search(item):
                return "a lone surrogate"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "a number that is not finite"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return None
