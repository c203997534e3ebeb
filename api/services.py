"""API tokens: one per user (DRF's authtoken model), created and revoked from the profile page
or by a script with its password (api.views), at most API_TOKEN_RATE_LIMIT_PER_HOUR an hour."""

from django.conf import settings
from django.db import transaction
from rest_framework.authtoken.models import Token

from crm import ratelimit
from crm.models import User


def over_token_rate_limit(*, user: User) -> bool:
    """Count one token creation for the user; True past API_TOKEN_RATE_LIMIT_PER_HOUR in the
    hour (every process counts in the same store, crm.ratelimit)."""
    limit = settings.API_TOKEN_RATE_LIMIT_PER_HOUR
    return ratelimit.hit(f"api-token:{user.pk}", limit=limit, window=3600)


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
