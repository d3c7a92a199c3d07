"""gunicorn, as the image runs it (with the repository's gunicorn.conf.py), names no server
and no version in its responses."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
# A WSGI app answering with the server software gunicorn hands it.
APP = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["SERVER_SOFTWARE"].encode()]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_discloses_no_server_name_nor_version(tmp_path):
    (tmp_path / "probe_app.py").write_text(APP)
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--chdir", str(tmp_path), "probe_app:app"],
        cwd=BASE_DIR,  # where gunicorn finds gunicorn.conf.py, as in the image's /app
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    server_header, body = response.headers.get("Server"), response.read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not answer")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server_header == "alize"
    assert b"gunicorn" not in body
