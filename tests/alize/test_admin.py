"""Every registered admin renders for a superuser; rows the services alone write stay read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from alize.adminkit import ReadOnlyMixin
from tests.alize.factories import UserFactory

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.fixture
def superuser_client(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", [model for model, _ in REGISTERED], ids=lambda model: model._meta.label
)
def test_changelist_renders(superuser_client, model):
    opts = model._meta
    response = superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [model for model, model_admin in REGISTERED if isinstance(model_admin, ReadOnlyMixin)],
    ids=lambda model: model._meta.label,
)
def test_read_only_admin_refuses_add(superuser_client, model):
    opts = model._meta
    response = superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert response.status_code == 403
