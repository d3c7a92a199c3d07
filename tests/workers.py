"""What a real worker process needs to share the test database, whichever server holds it."""

from urllib.parse import quote

from django.db import connection


def worker_database_url() -> str:
    """The test database as a DATABASE_URL for another process: the machine's server (host and
    port) or the embedded one (its socket folder, percent-encoded as the URL's host)."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    socket = host.startswith("/")
    netloc = quote(host, safe="") if socket else f"{host}:{db['PORT'] or 5432}"
    user = db["USER"]
    if db.get("PASSWORD"):
        user = f"{user}:{quote(db['PASSWORD'], safe='')}"
    return f"postgres://{user}@{netloc}/{db['NAME']}"
