import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from crm.models import (
    ADMINISTRATOR_GROUP,
    SALES_MANAGER_GROUP,
    SALESPERSON_GROUP,
    Membership,
    Team,
    User,
)
from crm.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def perms(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_the_three_groups_exist_after_migrate_with_their_permissions():
    admin = perms(ADMINISTRATOR_GROUP)
    manager = perms(SALES_MANAGER_GROUP)
    salesperson = perms(SALESPERSON_GROUP)
    assert {"crm.add_team", "crm.change_user", "crm.delete_team"} <= admin
    assert "crm.view_team" in salesperson
    assert "crm.change_team" not in salesperson
    assert "crm.change_team" not in manager
    assert salesperson < admin


def test_a_sales_manager_is_who_manages_an_active_team(manager, alice, north):
    assert manager.is_sales_manager
    assert not alice.is_sales_manager
    north.is_active = False
    north.save()
    assert not User.objects.get(pk=manager.pk).is_sales_manager


def test_administrators_are_superusers_or_members_of_the_group(admin_user, alice):
    assert admin_user.is_administrator
    assert not alice.is_administrator
    alice.groups.add(Group.objects.get(name=ADMINISTRATOR_GROUP))
    assert User.objects.get(pk=alice.pk).is_administrator


def test_a_user_may_be_in_several_teams_once_each(alice, south):
    MembershipFactory(user=alice, team=south)
    assert set(alice.teams.values_list("name", flat=True)) == {"North", "South"}
    with pytest.raises(Exception):  # noqa: B017 - the unique constraint
        Membership.objects.create(user=alice, team=south)


def test_away_until_today_or_later_means_away(alice):
    import datetime

    alice.away_until = datetime.date(2030, 1, 10)
    assert alice.is_away(datetime.date(2030, 1, 10))
    assert not alice.is_away(datetime.date(2030, 1, 11))


def test_an_admin_invites_a_user_who_sets_a_password_from_the_email(
    as_admin, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            reverse("admin:crm_user_add"),
            {
                "username": "dora",
                "email": "dora@example.com",
                "first_name": "Dora",
                "last_name": "Diaz",
                "memberships-TOTAL_FORMS": "0",
                "memberships-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 302, response.content
    dora = User.objects.get(username="dora")
    assert not dora.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dora@example.com"]
    link = re.search(r"http://\S+/invitation/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else link
    client.logout()
    form_page = client.get(path, follow=True)
    assert "Welcome to the CRM" in form_page.text
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "dora-Passw0rd!x", "new_password2": "dora-Passw0rd!x"},
    )
    assert response.status_code == 302
    dora.refresh_from_db()
    assert dora.check_password("dora-Passw0rd!x")
    # The link works once.
    assert "no longer works" in client.get(path, follow=True).text


def test_a_rep_cannot_open_the_admin_user_list(as_alice):
    response = as_alice.get(reverse("admin:crm_user_changelist"))
    assert response.status_code == 302


def test_the_team_admin_shows_members_inline(as_admin, north, alice):
    response = as_admin.get(reverse("admin:crm_team_change", args=[north.pk]))
    assert response.status_code == 200
    assert "alice" in response.text.lower()


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (User.objects.count(), Team.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Team.objects.count(), Membership.objects.count()) == counts
    assert "alice" in first and "demo-alice-pass" in first
    assert User.objects.get(username="alice").check_password("demo-alice-pass")


# Deactivating a user who still owns open leads ---------------------------------------------


def _deactivate_in_admin(client, user):
    from crm.tests.admin_forms import change_form_data

    url = reverse("admin:crm_user_change", args=[user.pk])
    data = change_form_data(client.get(url), is_active=None)
    return client.post(url, data, follow=True)


def test_deactivating_a_user_with_open_leads_warns_and_links_to_the_hand_over(
    as_admin, alice, bob
):
    from leads.services import disqualify_lead
    from leads.tests.factories import make_lead

    make_lead(owner=alice)
    make_lead(owner=alice)
    closed = make_lead(owner=alice)
    disqualify_lead(lead=closed, user=alice, status="canceled")
    make_lead(owner=bob)

    response = _deactivate_in_admin(as_admin, alice)

    alice.refresh_from_db()
    assert not alice.is_active
    (message,) = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert "Alice Adams is inactive and still owns 2 open leads." in str(message)
    hand_over = reverse("admin:routing_departinguser_changelist")
    assert f'href="{hand_over}?is_active__exact=0&amp;q=alice"' in response.text
    # The link opens the hand-over list with her in it.
    listed = as_admin.get(f"{hand_over}?is_active__exact=0&q=alice")
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [alice]


def test_deactivating_a_user_without_open_leads_gives_no_warning(as_admin, alice):
    response = _deactivate_in_admin(as_admin, alice)

    alice.refresh_from_db()
    assert not alice.is_active
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]


def test_saving_an_active_user_with_open_leads_gives_no_warning(as_admin, alice):
    from crm.tests.admin_forms import change_form_data
    from leads.tests.factories import make_lead

    make_lead(owner=alice)
    url = reverse("admin:crm_user_change", args=[alice.pk])
    response = as_admin.post(url, change_form_data(as_admin.get(url)), follow=True)

    assert response.redirect_chain  # saved
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
