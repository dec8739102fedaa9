"""The private media storage on the filesystem (settings STORAGES["private"] when MEDIA_STORAGE=filesystem).

Private files are those only our own views serve, after checking who asks: the QR codes, each of which
holds its card's token. They live under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, so nothing serves them
at a public address. With MEDIA_STORAGE=s3 they go to the bucket's `private/` prefix (or a bucket of
their own) instead; see the settings.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateFileSystemStorage(FileSystemStorage):
    """FileSystemStorage under PRIVATE_MEDIA_ROOT, read when first used (as FileSystemStorage reads
    MEDIA_ROOT), so a settings module that changes it after base (tests) needs nothing else."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)
