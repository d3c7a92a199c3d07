"""Which PostgreSQL the app talks to.

DATABASE_URL set: that server. Unset: an embedded PostgreSQL from the pgserver wheel, its data
under var/pgdata, started on first use and stopped when the last process using it exits. There
is deliberately no SQLite path: constraints, row locks and triggers must behave the same in the
demo, the tests and production.
"""

import atexit
import os
from pathlib import Path

import dj_database_url

EMBEDDED_DATABASE_NAME = "alize"
_servers: list = []


def database_settings(url: str | None, embedded_dir: Path) -> dict:
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = _embedded_database(embedded_dir)
    config.setdefault("TEST", {})
    return config


def _embedded_database(pgdata: Path) -> dict:
    import warnings

    # pgserver asks platformdirs for a runtime folder; without XDG_RUNTIME_DIR it warns.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver  # imported here: production never needs it

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata)
    # Keep a reference: the server lives as long as a process holds one.
    _servers.append(server)
    _exit_cleanly_on_sigterm()
    # atexit runs handlers last-registered first: this one runs before pgserver's own.
    atexit.register(_forget_dead_processes, server)
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'alize';")
    if "1 row" not in exists:
        server.psql("CREATE DATABASE alize;")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": EMBEDDED_DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(pgdata),
        "PORT": "",
        "CONN_MAX_AGE": 0,
    }


def _exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit so that pgserver's exit hook stops the embedded server
    when the last process using it goes (Ctrl+C already does)."""
    import signal
    import sys
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _forget_dead_processes(server) -> None:
    """pgserver stops the server when the last process that registered itself exits. A process
    killed outright (SIGKILL, such as the dev server's reloaded child) never unregisters: drop
    such pids so the server still stops with the last live process, and is not left running."""
    import psutil

    def running(pid: int) -> bool:
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    with server._lock:
        pids = server.global_process_id_list.get()
        alive = [pid for pid in pids if pid == os.getpid() or running(pid)]
        if alive != pids:
            server.global_process_id_list.put(alive)
