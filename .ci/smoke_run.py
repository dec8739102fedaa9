#!/usr/bin/env python3
"""CI runs the README's first command, as a new user would, and the services mode.

    python3 .ci/smoke_run.py embedded --seed 1      # a fresh clone, `make run`, PYTHONHASHSEED=1
    python3 .ci/smoke_run.py services               # a fresh clone, `honcho start` on PostgreSQL and Redis

Each run: `git clone` of this checkout's HEAD into a new folder; start (on a free port, its own
SQLite file or database, in its own session); wait until the web server answers and the worker and
the beat say they are up; then, through the REST API only, a demo shopper sends a gift, pays on the
sandbox and waits until the gift is open. At that moment the card page must carry its og:image and
that address must answer with the PNG. The log must hold no `Traceback` and no `ERROR`. Then
SIGTERM, and every process of the session must be gone and the port free.

Standard library only: it runs before and outside the project's virtualenv.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_USER = "alice"  # her password is the install's own: DEMO_PASSWORD in the clone's var/secrets.env
START_SECONDS = 420  # a fresh clone installs its virtualenv first (pip's cache makes it ~30 s)
OPEN_SECONDS = 60
STOP_SECONDS = 30
MARKERS = {"worker": " ready.", "beat": "beat: Starting..."}


class SmokeFailure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def http(method, url, body=None, token=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310  only the smoke run's own servers on loopback
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310: as above, loopback only
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def api(method, url, body=None, token=None, expect=(200,)):
    status, _, raw = http(method, url, body, token)
    if status not in expect:
        raise SmokeFailure(f"{method} {url} -> {status}: {raw[:500]!r}")
    return json.loads(raw) if raw else None


def session_pids(sid):
    out = subprocess.run(["ps", "-e", "-o", "pid=,sid=,comm="], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.split()[1:2] == [str(sid)]]


def wait_until(what, check, seconds, process, log):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SmokeFailure(f"exited (code {process.returncode}) while waiting for {what}\n{tail(log)}")
        try:
            if check():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    raise SmokeFailure(f"timed out after {seconds}s waiting for {what}\n{tail(log)}")


def tail(log, lines=80):
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def demo_password(shop):
    """What `make run` made on first start (and printed with the demo logins)."""
    for line in (shop / "var" / "secrets.env").read_text().splitlines():
        if line.startswith("DEMO_PASSWORD="):
            return line.partition("=")[2].strip()
    raise SmokeFailure("var/secrets.env holds no DEMO_PASSWORD")


def gift_flow(base, password):
    """A demo shopper sends a gift and pays through the API; returns (seconds to open, card page URL)."""
    token = api("POST", f"{base}/api/v1/auth/token/", {"username": DEMO_USER, "password": password})["token"]
    products = api("GET", f"{base}/api/v1/products/?page_size=100")["results"]
    variant = next(
        (v for p in products if p.get("giftable") for v in api("GET", f"{base}/api/v1/products/{p['id']}/")["variants"]
         if v["in_stock"]),
        None,
    )
    if variant is None:
        raise SmokeFailure("the demo shop has no giftable product in stock")
    gift = api("POST", f"{base}/api/v1/gifts/", {"variant_id": variant["id"], "quantity": 1, "mode": "single",
                                                 "message": "From the CI smoke run"}, token, expect=(201,))
    api("POST", f"{base}/api/v1/payments/{gift['payment']['id']}/sandbox/", {"outcome": "succeeded"}, token,
        expect=(202,))
    paid_at = time.monotonic()
    while time.monotonic() - paid_at < OPEN_SECONDS:
        seen = api("GET", f"{base}/api/v1/gifts/{gift['id']}/", token=token)
        if seen["status"] == "open":
            return time.monotonic() - paid_at, seen["share_url"]
        time.sleep(0.25)
    raise SmokeFailure(f"the gift was not open {OPEN_SECONDS}s after the sandbox payment (status {seen['status']})")


def check_unfurl(card_url):
    """What a chat app sees the moment the link is pasted: og:image, answering with the PNG."""
    status, _, raw = http("GET", card_url)
    if status != 200:
        raise SmokeFailure(f"card page {status}")
    match = re.search(rb'<meta property="og:image" content="([^"]+)"', raw)
    if not match or not match.group(1):
        raise SmokeFailure("the card page has no og:image the moment the gift is open")
    image_url = match.group(1).decode()
    status, headers, image = http("GET", image_url)
    if status != 200 or not image.startswith(b"\x89PNG\r\n\x1a\n"):
        raise SmokeFailure(f"og:image {image_url} answered {status} {headers.get('Content-Type')}, not a PNG")
    return image_url


def stop(process, sid, port, log):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        raise SmokeFailure(f"still running {STOP_SECONDS}s after SIGTERM\n{tail(log)}") from None
    deadline = time.monotonic() + 10
    while session_pids(sid) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = session_pids(sid)
    if left:
        raise SmokeFailure(f"processes left after SIGTERM: {left}")
    if port_in_use(port):
        raise SmokeFailure(f"port {port} still answers after SIGTERM")


def clone():
    folder = Path(tempfile.mkdtemp(prefix="giftshop-fresh-"))
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(folder / "shop")], check=True)
    return folder / "shop"


def base_env(**extra):
    """What a new user's shell has: none of CI's DATABASE_URL, REDIS_URL or DJANGO_* settings."""
    keep = {"PATH", "HOME", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("PIP_")}
    env.update(extra)
    return env


def start_s3(folder):
    """moto's S3 server on a free port with an empty bucket; None (and a note) where the checkout
    has no dev venv to take it from."""
    moto = REPO / ".venv" / "bin" / "moto_server"
    if not moto.exists():
        print(f"note: {moto} not found (run make test first): services mode keeps its media on disk")
        return None
    port = free_port()
    out = (folder / "moto.log").open("w")
    process = subprocess.Popen([str(moto), "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if http("PUT", f"{url}/giftshop-smoke", timeout=2)[0] == 200:
                return {"process": process, "url": url}
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise SmokeFailure(f"moto's S3 server did not start:\n{(folder / 'moto.log').read_text()[-2000:]}")
        time.sleep(0.3)


def run_one(mode, seed, keep):
    shop = clone()
    port = free_port()
    log = shop.parent / "run.log"
    site = f"http://127.0.0.1:{port}"
    s3 = None
    if mode == "embedded":
        env = base_env(PORT=str(port), PYTHONHASHSEED=str(seed))
        command = ["make", "run"]
    else:
        database = f"giftshop_smoke_{os.getpid()}"
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
        env = base_env(
            PORT=str(port), SITE_URL=site, PYTHONHASHSEED=str(seed), DJANGO_SETTINGS_MODULE="giftshop.settings.local",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}", REDIS_URL="redis://127.0.0.1:6379/13",
        )
        subprocess.run(["redis-cli", "-n", "13", "flushdb"], check=True, capture_output=True)
        # Media on S3-compatible storage: a real S3 API on loopback (moto's server, from the checkout's
        # dev venv that `make test` built), a bucket, and the shop's MEDIA_STORAGE=s3 settings.
        s3 = start_s3(shop.parent)
        if s3 is not None:
            env.update(MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="giftshop-smoke", AWS_S3_ENDPOINT_URL=s3["url"],
                       AWS_S3_REGION_NAME="us-east-1", AWS_ACCESS_KEY_ID="smoke", AWS_SECRET_ACCESS_KEY="smoke",  # noqa: S106  moto's local S3 takes any key
                       AWS_S3_ADDRESSING_STYLE="path")
        # The README's services mode: set up once, then the Procfile under honcho.
        setup = ('make venv-run && export PATH="$PWD/.venv/bin:$PATH" && python manage.py migrate --noinput && '
                 "python manage.py createcachetable && python manage.py seed_demo && exec honcho start -f Procfile")
        command = ["bash", "-c", setup]
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=shop, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    sid = process.pid
    try:
        wait_until("the web server", lambda: http("GET", f"{site}/api/v1/products/", timeout=3)[0] == 200,
                   START_SECONDS, process, log)
        for name, marker in MARKERS.items():
            wait_until(f"the {name}", lambda m=marker: m in log.read_text(errors="replace"), 60, process, log)
        up = time.monotonic() - started
        password = demo_password(shop)
        if password not in log.read_text(errors="replace"):
            raise SmokeFailure("the demo logins were not printed with this install's password\n" + tail(log))
        opened, card_url = gift_flow(site, password)
        image_url = check_unfurl(card_url)
        time.sleep(1)  # what the worker logs just after
        text = log.read_text(errors="replace")
        bad = [line for line in text.splitlines() if "Traceback" in line or "ERROR" in line]
        if bad:
            raise SmokeFailure("the log holds errors:\n" + "\n".join(bad[:20]) + "\n" + tail(log, 120))
        stop(process, sid, port, log)
        where = f" from the S3 bucket at {s3['url']}" if s3 and image_url.startswith(s3["url"]) else ""
        if s3 and not where:
            raise SmokeFailure(f"MEDIA_STORAGE=s3, but og:image {image_url} is not in the bucket")
        print(f"PASS {mode} seed={seed}: up in {up:.0f}s, gift open {opened:.1f}s after payment, "
              f"og:image {image_url.rsplit('/', 1)[-1].split('?')[0][:12]}… is a PNG{where}, "
              "all processes gone after SIGTERM")
    except BaseException:
        if process.poll() is None:
            os.killpg(sid, signal.SIGKILL)
        print(f"FAIL {mode} seed={seed}; log in {log}", file=sys.stderr)
        keep = True
        raise
    finally:
        if s3 is not None:
            s3["process"].terminate()
            s3["process"].wait(10)
        if mode == "services":
            subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", database])
        if not keep:
            shutil.rmtree(shop.parent, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["embedded", "services"])
    parser.add_argument("--seed", type=int, default=0, help="PYTHONHASHSEED for every process")
    parser.add_argument("--keep", action="store_true", help="keep the clone and its log")
    args = parser.parse_args()
    try:
        run_one(args.mode, args.seed, args.keep)
    except SmokeFailure as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
