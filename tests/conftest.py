from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from alize.models import Role
from tests.alize.factories import BasinFactory, UserFactory


@pytest.fixture(autouse=True)
def fresh_throttles():
    """The throttles' counters (password reset, API tokens) start from zero in each test."""
    cache.clear()


@pytest.fixture
def basin(db):
    return BasinFactory()


@pytest.fixture
def other_basin(db):
    return BasinFactory()


def make_user(role: str | None, *basins):
    user = UserFactory()
    if role:
        user.groups.add(Group.objects.get(name=role))
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    user.basins.set(basins)
    return user


@pytest.fixture
def staff(basin):
    return make_user(Role.STAFF, basin)


@pytest.fixture
def manager(basin):
    return make_user(Role.MANAGER, basin)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def load_demo() -> str:
    """Run `load_demo` and return what it printed (--force: the test settings run with
    DEBUG off)."""
    out = StringIO()
    call_command("load_demo", "--force", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the module that asks for it (a load takes seconds),
    then rolled back; each test of the module runs in a savepoint inside this transaction.
    The value is what the first load printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)
