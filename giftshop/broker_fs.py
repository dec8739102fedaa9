"""The embedded broker: kombu's filesystem transport, with its messages written atomically.

kombu writes a message by creating its file in the queue folder and then filling it, and its
reader takes the first file it finds without waiting for the writer's lock, so a worker can read
a message that is still empty: JSONDecodeError, and the consumer stops ("Unrecoverable error",
seen in CI under load). Here a message is written to a name the reader never takes (".tmp") and
renamed into place when it is whole: a rename within a folder is atomic on POSIX and on Windows.

Used by the embedded default (CELERY_BROKER_URL "filesystem://", settings/base.py); Redis in the
services mode is unaffected.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".tmp"  # "<stamp>_<uuid>.<queue>.msg.tmp": not "<queue>.msg", never read
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
