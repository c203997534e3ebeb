"""Demo organisation: two teams and one user per role. Deterministic and idempotent."""

from django.contrib.auth.models import Group

from crm.models import (
    ADMINISTRATOR_GROUP,
    SALES_MANAGER_GROUP,
    SALESPERSON_GROUP,
    Membership,
    Team,
    User,
)

# username, first name, last name, group, {team: role}, password
# Bob works in Danish (his profile's language); the others follow their browser.
DANISH_USERS = {"bob"}
DEMO_USERS = [
    ("admin", "Ada", "Admin", ADMINISTRATOR_GROUP, {}, "demo-admin-pass"),
    ("maria", "Maria", "Manager", SALES_MANAGER_GROUP, {"North": "manager"}, "demo-maria-pass"),
    ("alice", "Alice", "North", SALESPERSON_GROUP, {"North": "member"}, "demo-alice-pass"),
    ("bob", "Bob", "North", SALESPERSON_GROUP, {"North": "member"}, "demo-bob-pass"),
    ("carol", "Carol", "South", SALESPERSON_GROUP, {"South": "member"}, "demo-carol-pass"),
]


def seed(context):
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in ("North", "South")}
    users = {}
    for username, first, last, group, memberships, password in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "is_staff": group == ADMINISTRATOR_GROUP,
                "is_superuser": group == ADMINISTRATOR_GROUP,
                "language": "da" if username in DANISH_USERS else "",
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=group))
        for team_name, role in memberships.items():
            Membership.objects.get_or_create(
                team=teams[team_name], user=user, defaults={"role": role}
            )
        users[username] = user
        context.setdefault("credentials", []).append((username, password, group))
    context["teams"] = teams
    context["users"] = users
