"""API tokens: one per user (DRF's authtoken model), created and revoked from the profile page."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from crm.models import User


@transaction.atomic
def create_token(*, user: User) -> Token:
    """Give the user a new token; the previous one, if any, stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def revoke_token(*, user: User) -> bool:
    """Delete the user's token. Returns whether there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0
