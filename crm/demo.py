"""Demo organisation (a Danish one): two teams and one user per role. Deterministic and
idempotent."""

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
# Bob works in Danish (his profile's language); Alice, the English-speaking colleague, in
# English; the others follow their browser.
LANGUAGES = {"bob": "da", "alice": "en"}
DEMO_USERS = [
    ("admin", "Ada", "Andersen", ADMINISTRATOR_GROUP, {}, "demo-admin-pass"),
    ("maria", "Maria", "Madsen", SALES_MANAGER_GROUP, {"Nord": "manager"}, "demo-maria-pass"),
    ("alice", "Alice", "Walker", SALESPERSON_GROUP, {"Nord": "member"}, "demo-alice-pass"),
    ("bob", "Bob", "Bech", SALESPERSON_GROUP, {"Nord": "member"}, "demo-bob-pass"),
    ("carol", "Carol", "Christensen", SALESPERSON_GROUP, {"Syd": "member"}, "demo-carol-pass"),
]


def seed(context):
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in ("Nord", "Syd")}
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
                "language": LANGUAGES.get(username, ""),
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
