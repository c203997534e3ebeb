"""The profile page's API token block (crm/panels.py): the crm app knows no API."""

from rest_framework.authtoken.models import Token


def api_token_section(context, user):
    return {
        "token": Token.objects.filter(user=user).first(),
        "csrf_token": context.get("csrf_token"),
    }
