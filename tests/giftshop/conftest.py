import itertools
import threading
import time

import pytest

from giftshop import outbox

_names = itertools.count()


class RecordingConsumer:
    """An outbox consumer registered for one test: records each call; `fail_with` makes it raise."""

    def __init__(self, topic):
        self.topic = topic
        self.calls = []
        self.fail_with = None
        self.pause = 0.0
        self._lock = threading.Lock()

    def __call__(self, payload, *, key):
        with self._lock:
            self.calls.append((key, payload))
        if self.pause:
            time.sleep(self.pause)
        if self.fail_with is not None:
            raise self.fail_with

    @property
    def keys(self):
        return [key for key, _payload in self.calls]


@pytest.fixture
def recorder():
    topic = f"tests.recorder{next(_names)}"
    consumer = RecordingConsumer(topic)
    outbox.consumer(topic)(consumer)
    yield consumer
    outbox._consumers.pop(topic, None)
