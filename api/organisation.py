"""Users and teams, read-only: a user sees themselves, their teammates and their own teams;
administrators see everyone (the pages' rule: what is not yours or your team's is a 404)."""

import django_filters
from django.db.models import Prefetch, Q
from rest_framework import serializers

from api.viewsets import ReadOnlyViewSet
from crm.lib.filters import IdFilter
from crm.models import Membership, Team, User, team_ids_of, teammate_ids_of


def users_visible_to(user):
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.is_administrator:
        return User.objects.all()
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=teammate_ids_of(user)))


def teams_visible_to(user):
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    if user.is_administrator:
        return Team.objects.all()
    return Team.objects.filter(pk__in=team_ids_of(user))


def _active_memberships():
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(is_active=True).order_by("pk"),
        to_attr="active_memberships",
    )


class UserSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:user-detail")
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    teams = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "url",
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "time_zone",
            "away_until",
            "is_active",
            "teams",
        ]

    def get_teams(self, user) -> list[int]:
        return [membership.team_id for membership in user.active_memberships]


class TeamMemberSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class TeamSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:team-detail")
    members = TeamMemberSerializer(source="active_memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "url", "name", "is_active", "members"]


class UserFilter(django_filters.FilterSet):
    team = IdFilter(field_name="memberships__team", distinct=True)

    class Meta:
        model = User
        fields = ["team", "is_active", "username"]


class UserViewSet(ReadOnlyViewSet):
    """Users: yourself and the members of your teams (administrators: everyone)."""

    serializer_class = UserSerializer
    filterset_class = UserFilter

    def get_queryset(self):
        return (
            users_visible_to(self.request.user)
            .prefetch_related(_active_memberships())
            .order_by("pk")
        )


class TeamViewSet(ReadOnlyViewSet):
    """Teams you belong to (administrators: every team), with their active members."""

    serializer_class = TeamSerializer
    filterset_fields = ["is_active"]

    def get_queryset(self):
        return (
            teams_visible_to(self.request.user)
            .prefetch_related(_active_memberships())
            .order_by("pk")
        )
