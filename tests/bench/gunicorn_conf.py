"""gunicorn for the benchmark: the production shape (sync workers, 2 × cores + 1)."""

import multiprocessing
import os

bind = f"127.0.0.1:{os.environ.get('LINLI_BENCH_PORT', '8150')}"
workers = int(os.environ.get("LINLI_BENCH_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
backlog = 2048
keepalive = 5
timeout = 60
accesslog = None
errorlog = "-"
loglevel = "warning"
preload_app = True
