"""How long a session lives, and what ends it.

- Every session is signed out after `SESSION_IDLE_TIMEOUT` seconds without a request, and
  `SESSION_COOKIE_AGE` seconds after its sign-in at the latest
  (`alize.middleware.SessionTimeoutMiddleware`).
- The operators' and administrators' sessions (they read every dossier of their basins) end
  when the browser closes: their cookie has no expiry date.
- Deactivating an account or changing its password ends its other sessions at once (Django
  would refuse them at their next request anyway: here they are deleted, so that a later
  reactivation brings none back). The session of the person who changes their own password
  is kept: Django gives it a new key with the new password's hash.
"""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save

from alize.middleware import start_session_clock
from alize.models import User
from alize.services.users import end_sessions


def ends_with_the_browser(user) -> bool:
    """Operators, administrators and whoever may open the admin site."""
    return user.is_staff or user.is_operator


def on_sign_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    start_session_clock(request)
    if ends_with_the_browser(user):
        request.session.set_expiry(0)


def on_user_saved(sender, instance, created, update_fields=None, **kwargs):
    """End the sessions of an account just deactivated or whose password just changed."""
    if created or instance.last_login is None:  # never signed in: no session to end
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    # `set_password` keeps the new password in `_password` until the save is over.
    password_changed = getattr(instance, "_password", None) is not None
    if password_changed or not instance.is_active:
        end_sessions(instance)


def connect() -> None:
    """Called by `AlizeConfig.ready`."""
    user_logged_in.connect(on_sign_in, dispatch_uid="alize.sessions.on_sign_in")
    post_save.connect(on_user_saved, sender=User, dispatch_uid="alize.sessions.on_user_saved")
