"""Personal access tokens for the JSON API: created (shown once), revoked, and their use recorded.

Only a SHA-256 hash of a token is stored: whoever reads the database cannot use it. A token is bound to one
membership, so it opens one organization with that member's role, and stops working as soon as the token is
revoked or the member or user is deactivated (see `selectors.api_token_get_live`).
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization

from ..models import ApiToken
from ..selectors import api_token_list

TOKEN_PREFIX = "sq_"
# How much of a token lists show, to recognise it: "sq_" and 7 random characters.
SHOWN_PREFIX_LENGTH = 10
MAX_ACTIVE_TOKENS_PER_MEMBER = 20
# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_owner(*, organization: Organization, membership: Membership) -> None:
    if membership.organization_id != organization.pk or not membership.is_active:
        raise ValidationError(_("That member does not exist."))


@transaction.atomic
def api_token_create(*, organization: Organization, membership: Membership, name: str) -> tuple[ApiToken, str]:
    """A new token for `membership`. Returns the token and its secret, which is never stored nor shown again."""
    _check_owner(organization=organization, membership=membership)
    active = api_token_list(organization=organization, membership=membership).filter(revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE_TOKENS_PER_MEMBER:
        raise ValidationError(
            _("You already have %(count)s active tokens. Revoke one you no longer use first.")
            % {"count": MAX_ACTIVE_TOKENS_PER_MEMBER}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organization=organization,
        membership=membership,
        name=" ".join(name.split()),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        token_hash=token_hash(secret),
    )
    token.full_clean(exclude=["organization", "membership"])
    token.save()
    return token, secret


@transaction.atomic
def api_token_revoke(*, organization: Organization, membership: Membership, token: ApiToken) -> ApiToken:
    """Stop a token of one's own from opening the API, from its very next request. Revoking twice changes nothing."""
    if token.organization_id != organization.pk or token.membership_id != membership.pk:
        raise ValidationError(_("That token does not exist."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record that the token was used: one UPDATE at most once a minute per token, none in between."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now
