import factory

from crm.models import Membership
from crm.tests.factories import MembershipFactory, UserFactory
from leads.routing.models import AssignmentCondition, AssignmentRule, Distribution


class AssignmentRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    priority = factory.Sequence(lambda n: (n + 1) * 10)


def make_rule(name, target, *conditions, distribution=Distribution.ROUND_ROBIN, **extra):
    """A rule for a user or a team; conditions are (field, operator, value) tuples, cleaned
    as the admin form would."""
    from crm.models import Team

    key = "target_team" if isinstance(target, Team) else "target_user"
    rule = AssignmentRuleFactory(name=name, distribution=distribution, **{key: target}, **extra)
    for field, operator, value in conditions:
        condition = AssignmentCondition(rule=rule, field=field, operator=operator, value=value)
        condition.full_clean()
        condition.save()
    return rule


def add_members(team, *usernames, role=Membership.Role.MEMBER, **user_extra):
    users = []
    for username in usernames:
        user = UserFactory(
            username=username, first_name=username.title(), last_name="", **user_extra
        )
        MembershipFactory(team=team, user=user, role=role)
        users.append(user)
    return users
