"""The embedded broker (giftshop/broker_fs.py) writes each message whole before a worker can see
it: kombu's own filesystem transport let a worker read a message file still being written (an
empty body: JSONDecodeError, and the worker's consumer stopped; seen in CI)."""

import os
import uuid

import pytest
from kombu import Connection

import giftshop.broker_fs as broker_fs


@pytest.fixture
def queue_dir(tmp_path):
    (tmp_path / "control").mkdir()  # kombu keeps its bindings there (settings: var/broker/control)
    return tmp_path


def connect(folder):
    return Connection("filesystem://", transport="giftshop.broker_fs:Transport",
                      transport_options={"data_folder_in": str(folder), "data_folder_out": str(folder),
                                         "control_folder": str(folder / "control")})


def test_the_embedded_broker_is_this_transport():
    """What `make run` and the tests' worker use when no Redis is given (settings/base.py)."""
    from celery import current_app

    if current_app.conf.broker_url.startswith("filesystem://"):
        assert current_app.conf.broker_transport == "giftshop.broker_fs:Transport"
        assert current_app.connection_for_write().transport_cls == "giftshop.broker_fs:Transport"
    else:
        pytest.skip("this run's broker is Redis (the services mode)")


def test_a_message_appears_under_its_name_only_once_whole(queue_dir, monkeypatch):
    seen = []
    real_replace = os.replace
    name = f"jobs{uuid.uuid4().hex[:8]}"  # kombu remembers declared queues process-wide: a fresh one binds here

    def replace(src, dst):
        seen.append((os.path.exists(dst), os.path.getsize(src) > 0, src.endswith(".msg.tmp")))
        return real_replace(src, dst)

    monkeypatch.setattr(broker_fs.os, "replace", replace)
    with connect(queue_dir) as connection:
        queue = connection.SimpleQueue(name)
        queue.put({"task": "x", "n": 1})
        assert seen == [(False, True, True)]  # moved into place complete, under a name never read before
        assert [p.name.endswith(f".{name}.msg") for p in queue_dir.iterdir() if p.is_file()] == [True]
        assert queue.get(timeout=1).payload == {"task": "x", "n": 1}
