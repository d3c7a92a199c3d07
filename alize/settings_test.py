"""Settings for the test suite: production settings with test-only secrets and speed-ups."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "k" * 60)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_DEBUG", "false")

from alize.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic; tests serve files as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process in tests; the worker test starts a real worker on a real broker.
CELERY_TASK_ALWAYS_EAGER = True
# Uploads count as clean unscanned; tests/alize/test_antivirus.py turns the real clamd on.
ANTIVIRUS = "off"
WHITENOISE_AUTOREFRESH = True
