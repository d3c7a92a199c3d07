"""Two (or more) real database connections acting at the same instant.

Each call runs in its own thread, so on its own PostgreSQL connection; a barrier releases
them together. Tests using these helpers commit for real: mark them
`django_db(transaction=True)`.
"""

import threading
import time

from django.core.exceptions import ValidationError
from django.db import connection

# How long `slow_down` holds a writer between its checks and its save: long enough for the
# other connection to arrive at the same row.
HOLD_SECONDS = 0.4


def run_together(*calls):
    """Run each call in its own thread, released at the same instant; return outcomes:
    ("ok", result), ("refused", French messages) or ("error", repr) in the calls' order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except ValidationError as exc:
            outcomes[index] = ("refused", exc.messages)
        except Exception as exc:  # reported to the test, which then fails
            outcomes[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def slow_down(monkeypatch, model):
    """Make `model.full_clean` wait before validating: a race's window held open."""
    original = model.full_clean

    def slow_full_clean(self, *args, **kwargs):
        time.sleep(HOLD_SECONDS)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(model, "full_clean", slow_full_clean)
