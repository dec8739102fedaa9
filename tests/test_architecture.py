"""The one-way rule (DESIGN §3, STYLE rule 1): gifts → orders → logistics → stores → accounts → giftshop.

import-linter (`make lint`, the contracts in pyproject.toml) holds the imports; this test holds
what it cannot see, dependencies written as strings: import_string / import_module paths,
ForeignKey("app.Model"), apps.get_model("app", ...). It also reads the imports itself, a second net.

An app imports only apps to its right; giftshop's shared modules import no app at all. Checked on
the source with `ast`: imports anywhere in a module (inside functions too), and model references
written as strings ("orders.Order" in a ForeignKey, apps.get_model("orders", ...)), which are
dependencies just the same.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["gifts", "orders", "logistics", "stores", "accounts", "giftshop"]
APPS = ORDER[:-1]
# Everything in giftshop/ is shared infrastructure that imports no app, except the project wiring
# (settings, URLs, the Celery app, WSGI), which sits above all apps.
WIRING = {"settings", "urls.py", "api_urls.py", "celery.py", "wsgi.py", "__init__.py", "migrations", "__pycache__"}
SHARED = sorted(p.name for p in (ROOT / "giftshop").iterdir()
                if p.name not in WIRING and (p.suffix == ".py" or (p.is_dir() and p.name != "__pycache__")))
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def allowed_apps(app):
    """The apps `app` may import: itself and those to its right; for giftshop's shared modules, itself."""
    return set(ORDER[ORDER.index(app):])


def _top(name):
    return (name or "").split(".")[0]


def _call_name(func):
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def referenced_apps(source, filename="<source>"):
    """(line, app label, what) for every import and string model reference to one of ORDER."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, _top(alias.name), f"import {alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append((node.lineno, _top(node.module), f"from {node.module} import ..."))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            first = node.args[0].value
            if not isinstance(first, str):
                continue
            name = _call_name(node.func)
            if name in RELATION_FIELDS and "." in first:
                found.append((node.lineno, first.split(".")[0], f'{name}("{first}")'))
            elif name == "get_model":
                found.append((node.lineno, first.split(".")[0], f'get_model("{first}", ...)'))
            elif name in {"import_string", "import_module"}:  # a dotted path is an import all the same
                found.append((node.lineno, first.split(".")[0], f'{name}("{first}")'))
    return [(line, app, what) for line, app, what in found if app in ORDER]


def violations(source, app, filename="<source>"):
    allowed = allowed_apps(app)
    return [f"{filename}:{line}: {app} must not use {what}" for line, other, what in referenced_apps(source, filename)
            if other not in allowed]


def _python_files(folder):
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts)


def _app_files():
    for app in APPS:
        for path in _python_files(ROOT / app):
            yield app, path


def _shared_files():
    for name in SHARED:
        path = ROOT / "giftshop" / name
        yield from (_python_files(path) if path.is_dir() else [path] if path.exists() else [])


def test_apps_import_only_apps_to_their_right():
    files = list(_app_files())
    problems = [v for app, path in files for v in violations(path.read_text(), app, str(path.relative_to(ROOT)))]

    assert len(files) > 10, "the checker found almost no source files: is ROOT right?"
    assert problems == [], "imports against gifts → orders → logistics → stores → accounts → giftshop:\n" + "\n".join(
        problems
    )


def test_giftshop_shared_modules_import_no_app():
    files = list(_shared_files())
    problems = []
    for path in files:
        problems += [
            f"{path.relative_to(ROOT)}:{line}: a shared module must not use {what}"
            for line, other, what in referenced_apps(path.read_text(), str(path))
            if other != "giftshop"
        ]

    assert {p.name for p in files} >= {"money.py", "errors.py", "outbox.py", "transitions.py", "cache.py", "parsers.py",
                                       "pagination.py", "exceptions.py", "responses.py"}
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("app", "source"),
    [
        ("orders", "from gifts.models import Gift"),
        ("logistics", "import orders.services"),
        ("stores", "def f():\n    from logistics import services\n    return services"),
        ("accounts", "from stores.models import Store as S"),
        ("logistics", "from django.db import models\nx = models.ForeignKey('orders.Order', on_delete=None)"),
        ("stores", "from django.apps import apps\nGift = apps.get_model('gifts', 'Gift')"),
        ("giftshop", "from accounts.models import User"),
        ("stores", "from django.utils.module_loading import import_string\nf = import_string('gifts.services.x')"),
        ("logistics", "import importlib\nm = importlib.import_module('orders.services')"),
    ],
)
def test_the_checker_catches_a_leftward_dependency(app, source):
    assert len(violations(source, app)) == 1


@pytest.mark.parametrize(
    ("app", "source"),
    [
        ("gifts", "from orders.models import Order\nfrom logistics import services\nimport accounts.models"),
        ("orders", "from .models import Order\nfrom . import services"),
        ("logistics", "from stores.models import Variant\nfrom giftshop.outbox import consumer"),
        ("stores", "import django.db\nfrom collections import giftshop_like"),
        ("logistics", "x = models.ForeignKey('stores.Store', on_delete=None)\ny = models.ForeignKey('self')"),
        ("giftshop", "from giftshop.errors import NotFound\nimport giftshopper"),
    ],
)
def test_the_checker_allows_rightward_and_unrelated_imports(app, source):
    assert violations(source, app) == []
