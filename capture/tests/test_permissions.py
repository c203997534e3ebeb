"""Web forms are configuration sales managers run (capture's AppConfig says so): managers add
and change them, salespeople read them, submissions stay the administrators'."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from crm.models import ADMINISTRATOR_GROUP, SALES_MANAGER_GROUP, SALESPERSON_GROUP, User
from crm.permissions import sync_groups

pytestmark = pytest.mark.django_db


def _capture_perms(group_name):
    group = Group.objects.get(name=group_name)
    return {p.codename for p in group.permissions.filter(content_type__app_label="capture")}


def test_the_groups_give_managers_web_forms_and_keep_submissions_for_administrators():
    sync_groups()

    assert _capture_perms(SALES_MANAGER_GROUP) == {"view_webform", "add_webform", "change_webform"}
    assert _capture_perms(SALESPERSON_GROUP) == {"view_webform"}
    assert {"delete_webform", "view_submission", "change_submission"} <= _capture_perms(
        ADMINISTRATOR_GROUP
    )


def test_a_sales_manager_opens_and_adds_web_forms_in_the_admin(client, manager):
    sync_groups()
    manager.is_staff = True
    manager.save()
    client.force_login(User.objects.get(pk=manager.pk))

    assert client.get(reverse("admin:capture_webform_changelist")).status_code == 200
    assert client.get(reverse("admin:capture_webform_add")).status_code == 200
    assert client.get(reverse("admin:capture_submission_changelist")).status_code == 403
