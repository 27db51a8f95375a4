"""The dispatch world: the bookings world (a service, its workers) plus the machinery a real
dispatch needs: a private ``redis-server`` and a real Celery worker (with embedded beat) that
runs against this session's test database.

Unit tests run Celery eagerly; ``capture`` runs on-commit kicks the way a committed request
would. Worker tests (``@pytest.mark.postgres`` + ``@pytest.mark.redis``) use ``transactional_db``
so that what the test writes is committed and visible to the worker process.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bookings.notify import channels
from tests.bookings.factories import WorkerFactory

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def third_worker(provider, community, service):
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        user__first_name="海燕",
        user__last_name="赵",
    )


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the Celery kicks) as a real commit would."""

    def _capture():
        return django_capture_on_commit_callbacks(execute=True)

    return _capture


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    channels.outbox.clear()
    yield
    channels.outbox.clear()


# --- a private Redis -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


class PrivateRedis:
    """A ``redis-server`` of our own on a free port: stopping it disturbs nobody else.

    ``persistent``: keep the data across a stop and start (an append-only file in ``folder``,
    written on every command), as a production broker does; otherwise it starts empty."""

    def __init__(self, folder: Path, *, persistent: bool = False):
        self.port = _free_port()
        self.folder = folder
        self.persistent = persistent
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if self.persistent else "no",
                "--appendfsync",
                "always",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert _wait(self._answers, 10), "redis-server did not start"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
        assert _wait(lambda: not self._answers(), 5), "redis-server still answers"


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory):
    if not Path(REDIS_SERVER).exists():
        pytest.skip("needs redis-server")
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


# --- a real Celery worker --------------------------------------------------------------------


class CeleryWorker:
    """``celery worker -B`` in a subprocess, on the private Redis, against the test database.

    Messages it sends are written to files (``mail_dir``, ``sms_dir``) the test can count.
    Subclasses run other Celery commands (``command``) and wait for another line (``ready``)."""

    #: The line in its log that says it is up.
    ready = "ready."
    settings_module = "tests.bookings.dispatch.worker_settings"

    def __init__(self, broker_url: str, folder: Path):
        self.broker_url = broker_url
        self.folder = folder
        self.mail_dir = folder / "mail"
        self.sms_dir = folder / "sms"
        self.process = None
        self.starts = 0

    def env(self) -> dict:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "LINLI_WORKER_DB_NAME": db["NAME"],
            "LINLI_WORKER_MAIL_DIR": str(self.mail_dir),
            "LINLI_WORKER_SMS_DIR": str(self.sms_dir),
            "LINLI_WORKER_BEAT_FILE": str(self.folder / "beat-schedule"),
            "PYTHONUNBUFFERED": "1",
        }
        return env

    @property
    def log(self) -> Path:
        return self.folder / f"worker-{self.starts}.log"

    def command(self) -> list[str]:
        """The command line: a worker (with embedded beat) on every queue."""
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace",
            "worker",
            "-B",
            "-Q",
            "default,dispatch,notifications",
            "-c",
            "2",
            "-l",
            "info",
            "-n",
            f"dispatch-test-{os.getpid()}-{self.starts}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-s",
            str(self.folder / "beat-schedule"),
        ]

    def start(self) -> None:
        self.launch()
        self.wait_until_ready()

    def launch(self) -> None:
        """Start the process without waiting for it (``wait_until_ready``)."""
        self.starts += 1
        log = open(self.log, "w")  # noqa: SIM115 — closed by the subprocess's end
        self.process = subprocess.Popen(
            self.command(),
            cwd=settings.BASE_DIR,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() reaches the pool too
        )

    def wait_until_ready(self) -> None:
        ready = _wait(
            lambda: self.ready in self.log.read_text() or self.process.poll() is not None, 30, 0.1
        )
        assert ready and self.process.poll() is None, self.log.read_text()[-3000:]

    def stop(self) -> None:
        """A warm shutdown (SIGTERM): what a deploy or a restart does."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no cleanup, no acknowledgement, nothing."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def mark(self) -> None:
        """From now on, ``emails()`` only counts mail written after this call."""
        self.seen = set(self.mail_dir.iterdir()) if self.mail_dir.exists() else set()

    def all_emails(self) -> list[str]:
        """Every email the worker has written this session (whatever ``mark`` says)."""
        if not self.mail_dir.exists():
            return []
        messages = []
        for path in sorted(self.mail_dir.iterdir()):
            messages += [m for m in path.read_text().split("-" * 79) if "Subject:" in m]
        return messages

    def emails(self) -> list[str]:
        if not self.mail_dir.exists():
            return []
        messages = []
        for path in sorted(set(self.mail_dir.iterdir()) - getattr(self, "seen", set())):
            messages += [m for m in path.read_text().split("-" * 79) if "Subject:" in m]
        return messages


@pytest.fixture
def use_broker():
    """Point this test process's Celery app at another broker (and stop running eagerly)."""
    from marketplace.celery import app

    saved = (os.environ.get("CELERY_BROKER_URL"), app.conf.task_always_eager)
    # A test elsewhere may have set the write URL explicitly; it would win over broker_url.
    saved_write = dict(app.conf.changes).get("broker_write_url", None)

    def _eager(value: bool):
        # Also under the Django setting's own name: celery 5.6 reads a setting given in
        # settings.py (CELERY_TASK_ALWAYS_EAGER) before a change made under the short name.
        app.conf.task_always_eager = app.conf["CELERY_TASK_ALWAYS_EAGER"] = value

    def _use(url: str | None):
        # Celery reads CELERY_BROKER_URL from the environment before its own setting.
        if url is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = url
        app.conf.broker_url = app.conf.broker_write_url = url
        _eager(False)
        # Forget pooled connections to the old broker (kombu keeps them process-wide).
        from kombu import pools

        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    yield _use
    _use(saved[0])
    app.conf.broker_write_url = saved_write
    _eager(saved[1])


@pytest.fixture(scope="session")
def _session_worker(private_redis, django_db_setup, django_db_blocker, tmp_path_factory):
    """One worker process for the session (starting one takes seconds); tests may stop,
    kill and restart it: the next test gets it running again."""
    with django_db_blocker.unblock():
        process = CeleryWorker(private_redis.url, tmp_path_factory.mktemp("celery"))
    yield process
    process.stop()


@pytest.fixture
def celery_worker(transactional_db, private_redis, _session_worker, use_broker):
    """A real worker (and beat) on the private Redis; this process publishes there too."""
    if private_redis.process is None:  # a previous test stopped it
        private_redis.start()
    use_broker(private_redis.url)
    if _session_worker.process is None or _session_worker.process.poll() is not None:
        _session_worker.start()
    _session_worker.mark()
    yield _session_worker
    if private_redis.process is None:
        private_redis.start()


wait_for = _wait
