"""Where media is kept (MEDIA_STORAGE), read by base: STORAGES' "default" and "private" aliases.

"default" holds the public media: product photos, their thumbnails and the card images, all by
unguessable names (a uuid4 for photos, 24 random bytes for card images: no id, no token). "private"
holds what only our own views serve, after checking who asks: the QR codes, each holding its card's
token. `filesystem` keeps them under MEDIA_ROOT and PRIVATE_MEDIA_ROOT on this machine; `s3` on a
bucket of any S3-compatible service (AWS, MinIO, moto...), shared by every web and worker process.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

S3 = "storages.backends.s3.S3Storage"


def media_storages(env, media_storage: str) -> tuple[dict, list[str]]:
    """The "default" and "private" storages for MEDIA_STORAGE, and the origins besides 'self' that
    pages load media from (CSP img-src)."""
    if media_storage == "filesystem":
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "private": {"BACKEND": "giftshop.storage.PrivateFileSystemStorage"},
        }, []
    if media_storage != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE={media_storage!r}: use filesystem or s3.")
    # Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the environment or .env), read by
    # django-storages and boto3 themselves; without them boto3's own chain (an instance role).
    bucket = env("AWS_STORAGE_BUCKET_NAME")
    endpoint = env("AWS_S3_ENDPOINT_URL", default=None)  # MinIO, moto...; none: AWS itself
    region = env("AWS_S3_REGION_NAME", default=None)
    style = env("AWS_S3_ADDRESSING_STYLE", default=None)  # path | virtual; none: boto3 decides
    domain = env("AWS_S3_CUSTOM_DOMAIN", default=None)  # a CDN in front of the bucket: public media only
    common = {
        "endpoint_url": endpoint,
        "region_name": region,
        "addressing_style": style,
        "signature_version": "s3v4",
        "file_overwrite": False,  # as on the filesystem: a save never replaces another file
        "default_acl": None,  # the bucket's own: private unless a bucket policy says otherwise
    }
    # Signed links that expire, by default: the bucket then needs no public policy at all. Unsigned
    # (AWS_QUERYSTRING_AUTH=0) needs s3:GetObject for everyone on public/* only, and never
    # s3:ListBucket: a listing would reveal every card, with its sender's name and message.
    public = {
        **common,
        "bucket_name": bucket,
        "location": "public",
        "custom_domain": domain,
        "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=3600),
    }
    # Never a link of their own (our view reads a QR code and serves it to its sender alone), never
    # the CDN: under private/, or in a bucket of their own (AWS_PRIVATE_STORAGE_BUCKET_NAME).
    private = {
        **common,
        "bucket_name": env("AWS_PRIVATE_STORAGE_BUCKET_NAME", default=bucket),
        "location": "private",
        "custom_domain": None,
        "querystring_auth": True,
        "querystring_expire": 60,
    }
    storages = {"default": {"BACKEND": S3, "OPTIONS": public}, "private": {"BACKEND": S3, "OPTIONS": private}}
    return storages, _public_origins(bucket, endpoint, region, style, domain)


def _public_origins(bucket, endpoint, region, style, domain) -> list[str]:
    """Where the public media's links point, as django-storages and boto3 build them."""
    if domain:
        return [f"https://{domain}"]
    if endpoint:  # boto3 addresses a custom endpoint path-style unless told otherwise
        url = urlsplit(endpoint)
        return [f"{url.scheme}://{bucket}.{url.netloc}" if style == "virtual" else f"{url.scheme}://{url.netloc}"]
    if style == "path":
        return [f"https://s3.{region or 'us-east-1'}.amazonaws.com"]
    return [f"https://{bucket}.s3.amazonaws.com"] + ([f"https://{bucket}.s3.{region}.amazonaws.com"] if region else [])
