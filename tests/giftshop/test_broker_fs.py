"""The embedded broker (giftshop/broker_fs.py) writes each message whole before a worker can see
it: kombu's own filesystem transport let a worker read a message file still being written (an
empty body: JSONDecodeError, and the worker's consumer stopped; seen in CI)."""

import os
import uuid
from queue import Empty

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


def test_a_message_being_written_is_never_taken(queue_dir):
    # given a message still being written, as kombu's transport leaves it: an empty file
    (queue_dir / "1_00000000-0000-0000-0000-000000000000.jobs.msg.tmp").write_bytes(b"")
    with connect(queue_dir) as connection:
        queue = connection.SimpleQueue("jobs")
        # then a reader finds nothing yet, instead of failing on the empty body
        with pytest.raises(Empty):
            queue.get(timeout=0.2)


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
