"""``make demo``: the whole of Linli on one machine, with nothing but Python.

Migrates and seeds a SQLite file (or DATABASE_URL), starts localstripe on a free loopback port,
a Celery worker and beat on the embedded broker (or CELERY_BROKER_URL), and the web server on
http://127.0.0.1:8000. Ctrl-C stops all of them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from payments.localstripe_server import start_localstripe

BASE_DIR = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", int(os.environ.get("LINLI_PORT", "8000"))

LOGINS = [
    ("resident", "resident@linli.demo"),
    ("second resident", "resident2@linli.demo"),
    ("provider manager", "manager@linli.demo"),
    ("worker", "worker@linli.demo"),
    ("maintenance worker (repairs)", "fixer@linli.demo"),
    ("enterprise editor", "editor@linli.demo"),
    ("enterprise manager", "emanager@linli.demo"),
    ("superuser", "admin@linli.demo"),
]


def say(message: str) -> None:
    """Print a progress line of the demo."""
    print(f"[linli] {message}", flush=True)


def fail(message: str) -> None:
    """Print ``message`` to stderr and exit with status 2."""
    print(f"linli demo: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)


def port_free(port: int) -> bool:
    """Whether ``port`` can be bound on the demo's loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def manage(*args: str, env: dict) -> None:
    """Run ``manage.py *args`` with ``env``; exit with its status if it fails."""
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env)
    if result.returncode != 0:
        raise SystemExit(result.returncode)


def main() -> None:
    """Migrate, seed, start localstripe, a Celery worker, beat and the web server; wait for
    Ctrl-C (or for one of them to stop) and stop them all."""
    if not port_free(PORT):
        fail(f"port {PORT} is already in use; stop the other server or set LINLI_PORT.")
    env = os.environ.copy()
    env.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.base")
    # DEBUG off, as in production: a wrong address shows the site's own 404 page, not
    # Django's debug page; WhiteNoise serves the static files from the apps' folders.
    env.setdefault("DEBUG", "0")
    env.setdefault("WHITENOISE_USE_FINDERS", "1")
    env.setdefault("SMS_BACKEND", "bookings.notify.channels.FileSMSBackend")
    # Every absolute link (emails, SMS, .ics, board.json, the QR code, password reset) names the
    # address this demo really answers on; migrate writes it into Django's and Wagtail's sites.
    env["SITE_URL"] = f"http://{HOST}:{PORT}"
    (BASE_DIR / "var" / "mail").mkdir(parents=True, exist_ok=True)
    (BASE_DIR / "var" / "broker" / "queue").mkdir(parents=True, exist_ok=True)
    (BASE_DIR / "var" / "broker" / "processed").mkdir(parents=True, exist_ok=True)

    say("migrating the database (the first run takes about a minute) ...")
    manage("migrate", "--no-input", "-v", "0", env=env)
    say("seeding the demo data ...")
    manage("seed_demo", env=env)
    manage("site_url_sync", env=env)  # the Wagtail site the seed may have just made

    children: list[subprocess.Popen] = []
    try:
        stripe_proc, stripe_url = start_localstripe()
        children.append(stripe_proc)
        env["STRIPE_API_BASE"] = stripe_url
        say(f"localstripe (Stripe's API stand-in) at {stripe_url}")
        celery = [sys.executable, "-m", "celery", "-A", "marketplace"]
        children.append(
            subprocess.Popen(
                [
                    *celery,
                    "worker",
                    "-Q",
                    "default,dispatch,notifications",
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=BASE_DIR,
                env=env,
            )
        )
        children.append(
            subprocess.Popen(
                [*celery, "beat", "--loglevel", "WARNING", "--pidfile", ""], cwd=BASE_DIR, env=env
            )
        )
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "runserver",
                    f"{HOST}:{PORT}",
                    "--noreload",
                ],
                cwd=BASE_DIR,
                env=env,
            )
        )
        _register_webhook(stripe_url, env)
        _wait_for_web()
        _banner(env)
        while all(child.poll() is None for child in children):
            time.sleep(1)
        fail("a demo process stopped unexpectedly; see the output above.")
    except KeyboardInterrupt:
        say("stopping ...")
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def _register_webhook(stripe_url: str, env: dict) -> None:
    """Ask localstripe to deliver its events to our webhook, signed with our secret."""
    secret = env.get("STRIPE_WEBHOOK_SECRET", "whsec_linli_localstripe")
    data = urlencode(
        {"url": f"http://{HOST}:{PORT}/payments/stripe/webhook/", "secret": secret}
    ).encode()
    request = urllib.request.Request(
        f"{stripe_url}/_config/webhooks/linli", data=data, method="POST"
    )
    request.add_header(
        "Authorization", "Bearer " + env.get("STRIPE_SECRET_KEY", "sk_test_linli_localstripe")
    )
    try:
        urllib.request.urlopen(request, timeout=5).read()
    except OSError as exc:
        say(f"could not register the localstripe webhook ({exc}); payments still work")


def _wait_for_web(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT}/healthz/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    fail(f"the web server did not answer on http://{HOST}:{PORT}/ within {timeout:.0f} s.")


def _banner(env: dict) -> None:
    url = f"http://{HOST}:{PORT}"
    print(
        f"""
  Linli 邻里 is running.
    shop and home     {url}/            (storefront {url}/shop/catalogue/)
    provider console  {url}/provider/
    fee boards        {url}/boards/wangjing-garden/
    Wagtail admin     {url}/cms/        Oscar dashboard {url}/shop/dashboard/
    health            {url}/healthz/
    emails written to {BASE_DIR / "var" / "mail"}
  Logins (password for all: linli-demo):""",
        flush=True,
    )
    for role, email in LOGINS:
        print(f"    {role:<20} {email}", flush=True)
    print("  Press Ctrl-C to stop everything.\n", flush=True)


if __name__ == "__main__":
    main()
