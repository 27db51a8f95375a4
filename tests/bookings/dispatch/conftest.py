"""The dispatch world: the bookings world (a service, its workers) plus the machinery a real
dispatch needs: a private ``redis-server`` and a real Celery worker (with embedded beat) that
runs against this session's test database.

One worker per session, whichever folder asks for it: ``tests/bookings/notify`` imports these
fixtures, which makes pytest define them a second time there, and two session workers would
both sweep the one test database every second (beat), each "sending" into its own folder (a
mail recorded as sent once, found in neither the test's worker's folder nor the test's
outbox). So the session fixtures hand out one shared ``PrivateRedis`` and ``CeleryWorker``
(``_SESSION``); ``celery_worker`` stops any other worker still running first; the worker is
stopped after the last of consecutive tests that use it (``pytest_runtest_teardown``); a worker
dies with the test process (``PR_SET_PDEATHSIG``), and ``stop``/``kill`` wait for its whole
process group to be gone.

Unit tests run Celery eagerly; ``capture`` runs on-commit kicks the way a committed request
would. Worker tests (``@pytest.mark.postgres`` + ``@pytest.mark.redis``) use ``transactional_db``
so that what the test writes is committed and visible to the worker process.
"""

from __future__ import annotations

import ctypes
import json
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

#: The session's one private Redis and one worker, shared by every folder that imports the
#: fixtures below (each import is a fixture definition of its own, with its own instance).
_SESSION: dict[str, object] = {}


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
    """The session's private Redis (one, however many folders import this fixture)."""
    if not Path(REDIS_SERVER).exists():
        pytest.skip("needs redis-server")
    if "redis" not in _SESSION:
        server = PrivateRedis(tmp_path_factory.mktemp("redis"))
        server.start()
        _SESSION["redis"] = server
    yield _SESSION["redis"]
    server = _SESSION.pop("redis", None)
    if server is not None:
        server.stop()


# --- a real Celery worker --------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the test process dies (a run killed by a timeout
    must not leave a worker sweeping the reused test database for the next run)."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _group_gone(pgid: int) -> bool:
    """No live process (a zombie waiting to be reaped is dead) is left in group ``pgid``."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after it.
            state, _ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if int(pgrp) == pgid and state not in ("Z", "X"):
            return False
    return True


class CeleryWorker:
    """``celery worker -B`` in a subprocess, on the private Redis, against the test database.

    Messages it sends are written to files (``mail_dir``, ``sms_dir``) the test can count.
    Subclasses run other Celery commands (``command``) and wait for another line (``ready``)."""

    #: The line in its log that says it is up.
    ready = "ready."
    #: Every worker this test process has launched and not yet stopped.
    running: set[CeleryWorker] = set()
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
            preexec_fn=_die_with_parent,
        )
        CeleryWorker.running.add(self)

    def wait_until_ready(self) -> None:
        ready = _wait(
            lambda: self.ready in self.log.read_text() or self.process.poll() is not None, 30, 0.1
        )
        assert ready and self.process.poll() is None, self.log.read_text()[-3000:]

    def stop(self) -> None:
        """A warm shutdown (SIGTERM): what a deploy or a restart does. Returns once every
        process of its group (the pool, embedded beat) is gone."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reap()

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no cleanup, no acknowledgement, nothing."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._reap()

    def _reap(self) -> None:
        # A pool process that outlived its parent would go on taking tasks and sweeping the
        # database (beat): none may stay behind.
        if self.process is not None:
            pgid = self.process.pid  # start_new_session: the group is named after it
            if not _group_gone(pgid):
                os.killpg(pgid, signal.SIGKILL)
                assert _wait(lambda: _group_gone(pgid), 10), f"process group {pgid} lives on"
        CeleryWorker.running.discard(self)
        self.process = None

    def mark(self) -> None:
        """From now on, ``emails()`` only counts mail written after this call, and
        ``sms_since_mark()`` only text messages."""
        self.seen = set(self.mail_dir.iterdir()) if self.mail_dir.exists() else set()
        path = self.sms_dir / "sms.jsonl"
        self.sms_mark = path.stat().st_size if path.exists() else 0

    def sms_since_mark(self) -> list[dict]:
        """The text messages the worker wrote (``FileSMSBackend``'s lines) since ``mark``."""
        path = self.sms_dir / "sms.jsonl"
        if not path.exists():
            return []
        with open(path, "rb") as f:
            f.seek(getattr(self, "sms_mark", 0))
            text = f.read().decode()
        return [json.loads(line) for line in text.splitlines() if line.strip()]

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
    """One worker process for the session (starting one takes seconds), the same for every
    folder that imports this fixture; tests may stop, kill and restart it: the next test gets
    it running again."""
    if "worker" not in _SESSION:
        with django_db_blocker.unblock():
            folder = tmp_path_factory.mktemp("celery")
            _SESSION["worker"] = CeleryWorker(private_redis.url, folder)
    yield _SESSION["worker"]
    process = _SESSION.pop("worker", None)
    if process is not None:
        process.stop()


@pytest.fixture
def celery_worker(transactional_db, private_redis, _session_worker, use_broker):
    """A real worker (and beat) on the private Redis; this process publishes there too.

    The only one: any other worker a test left running is stopped first (its beat would
    sweep this test's database and send into its own folder)."""
    for other in list(CeleryWorker.running - {_session_worker}):
        other.stop()
    if private_redis.process is None:  # a previous test stopped it
        private_redis.start()
    use_broker(private_redis.url)
    if _session_worker.process is None or _session_worker.process.poll() is not None:
        _session_worker.start()
    _session_worker.mark()
    yield _session_worker
    if private_redis.process is None:
        private_redis.start()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test with the worker, unless the next one needs it too: stop it, before the
    database is flushed. A worker left running sweeps the database every second (beat): it
    takes rounds other tests leave pending on purpose, and its transactions deadlock with the
    flush's TRUNCATE (``deadlock detected`` in a test's teardown)."""
    uses = "celery_worker" in getattr(item, "fixturenames", ())
    next_uses = nextitem is not None and "celery_worker" in getattr(nextitem, "fixturenames", ())
    if uses and not next_uses:
        for process in list(CeleryWorker.running):
            process.stop()


wait_for = _wait
