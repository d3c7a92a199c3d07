import pytest
from django.contrib.auth.models import Group

from alize.models import Role
from tests.alize.factories import BasinFactory, UserFactory


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
