"""The processes of the system under test: localstripe, the Celery workers and beat, gunicorn
(started and stopped together), py-spy when profiling, and their CPU use read from /proc."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from payments.localstripe_server import start_localstripe
from tests.bench.environment import BENCH, PY, RESULTS, ROOT, say

#: The Celery workers, as the README runs them in production: (name, queues, processes).
#: Offers on a worker of their own, so a burst of notices (or a slow SMS gateway) never holds
#: an offer back.
CELERY_WORKERS = (
    ("dispatch", "dispatch", "2"),
    ("others", "default,notifications", "1"),
)


class Processes:
    """The run's child processes, each in a session of its own; ``stop`` ends them all."""

    def __init__(self):
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict, log: Path) -> subprocess.Popen:
        """Start ``args`` in the project root with ``env``, output (and errors) to ``log``."""
        handle = open(log, "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append((name, proc))
        return proc

    def add(self, name: str, proc: subprocess.Popen) -> None:
        """Take a process started elsewhere into the set that ``stop`` ends."""
        self.procs.append((name, proc))

    def stop(self) -> None:
        """SIGTERM every process group, newest first; SIGKILL those still there after 15 s."""
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    proc.terminate()
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    proc.kill()


def localstripe_start(procs: Processes, env: dict) -> None:
    """Start localstripe on a free port and point ``env``'s STRIPE_API_BASE at it."""
    stripe_proc, stripe_url = start_localstripe()
    procs.add("localstripe", stripe_proc)
    env["STRIPE_API_BASE"] = stripe_url


def celery_start(procs: Processes, env: dict, logs: Path, *, beat: bool) -> None:
    """Start the Celery workers of ``CELERY_WORKERS``, and beat if ``beat``; logs in ``logs``."""
    for name, queues, processes in CELERY_WORKERS:
        procs.start(
            f"celery-{name}",
            [
                PY, "-m", "celery", "-A", "marketplace", "worker", "-n", f"{name}@%h",
                "-Q", queues, "-c", processes, "-l", "warning",
                "--without-gossip", "--without-mingle",
            ],
            env,
            logs / f"celery-{name}.log",
        )  # fmt: skip
    if beat:
        procs.start(
            "beat",
            [PY, "-m", "celery", "-A", "marketplace", "beat", "-l", "warning",
             "--schedule", str(logs / "beat-schedule")],
            env,
            logs / "beat.log",
        )  # fmt: skip


def gunicorn_start(procs: Processes, env: dict, logs: Path) -> subprocess.Popen:
    """Start gunicorn on the bench's WSGI entry (``gunicorn_conf.py``); returns its process."""
    return procs.start(
        "gunicorn",
        [
            PY, "-m", "gunicorn", "-c", str(BENCH / "gunicorn_conf.py"),
            "--pythonpath", f"{ROOT},{BENCH}", "bench_wsgi:application",
        ],
        env,
        logs / "gunicorn.log",
    )  # fmt: skip


def wait_http(url: str, timeout: float = 60.0) -> None:
    """Wait until ``url`` answers 200; raises RuntimeError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except Exception as exc:  # noqa: BLE001 - retry until the deadline
            last = exc
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer: {last}")


def start_profile(name: str, seconds: int):
    """py-spy every gunicorn worker for the measured run (bench-only tool, from PyPI)."""
    spy = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
    if not Path(spy).exists():
        say("py-spy is not installed (.venv/bin/pip install py-spy); no profile")
        return None
    pids = subprocess.run(
        ["pgrep", "-f", "bench_wsgi:application"], capture_output=True, text=True
    ).stdout.split()
    if not pids:
        return None
    out = RESULTS / f"profile-{name}.txt"
    say(f"profiling {name} with py-spy into {out}")
    master = min(int(p) for p in pids)
    return subprocess.Popen(
        [spy, "record", "--subprocesses", "--pid", str(master), "--duration", str(seconds),
         "--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def cpu_seconds_by_role() -> dict[int, tuple[str, float]]:
    """{pid: (part, CPU seconds used so far)} for each process of the running system, from
    /proc: where a booking's CPU goes. Keyed by process, so a PostgreSQL backend that starts
    or ends between two readings does not skew the difference (one that ends takes its count
    with it: the parts measured here live for the whole run)."""
    tick = os.sysconf("SC_CLK_TCK")
    me = os.getpid()
    found: dict[int, tuple[str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (OSError, UnicodeDecodeError):
            continue
        role = _role(cmd, int(entry) == me)
        if role is None:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry)] = (role, (int(fields[11]) + int(fields[12])) / tick)
    return found


def _role(cmd: str, is_me: bool) -> str | None:
    """The part of the system a process with command line ``cmd`` plays, or None."""
    if is_me:
        return "load client"
    if "bench_wsgi:application" in cmd:
        return "web (gunicorn)"
    if "celery" in cmd and " worker" in cmd:
        return "Celery worker"
    if cmd.startswith("postgres") or "/postgresql/" in cmd:
        return "PostgreSQL"
    if cmd.startswith("redis-server") or "/redis-server" in cmd:
        return "Redis"
    if "localstripe" in cmd:
        return "localstripe"
    return None
