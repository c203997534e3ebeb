"""`{% api_token_section %}`: the profile page's API token block (the crm app knows no API)."""

from django import template
from rest_framework.authtoken.models import Token

register = template.Library()


@register.inclusion_tag("api/_token_section.html", takes_context=True)
def api_token_section(context):
    user = context["request"].user
    return {
        "token": Token.objects.filter(user=user).first(),
        "csrf_token": context.get("csrf_token"),
    }
