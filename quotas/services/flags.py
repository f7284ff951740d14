"""Acting on flags: a manager acknowledges (with a comment), the rep responds, the thread grows.

The rules are those of `selectors.flags.FlagAccess`, checked again here on the locked flag, so that two
managers acknowledging at once end with one acknowledgement, and a page that was open a while cannot act on a
flag that a re-close has withdrawn in the meantime.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization

from ..models import Flag, FlagComment, FlagKind, FlagStatus
from ..selectors.flags import flag_access

COMMENT_MAX = FlagComment._meta.get_field("body").max_length


def _locked(*, organization: Organization, flag: Flag) -> Flag:
    """The flag, re-read and locked for this transaction (with its rep, for the access rules)."""
    if flag.organization_id != organization.pk:
        raise ValidationError(_("That choice does not exist."))
    locked = Flag.objects.select_for_update(of=("self",)).select_related("rep").get(pk=flag.pk)
    return locked


def _clean_comment(body: str, *, field: str, required: bool, required_message: str) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ValidationError({field: required_message})
    if len(body) > COMMENT_MAX:
        raise ValidationError(
            {field: _("Keep the comment under %(max)s characters (it has %(length)s).") % {
                "max": COMMENT_MAX, "length": len(body)}}
        )  # fmt: skip
    return body


@transaction.atomic
def flag_acknowledge(*, organization: Organization, actor: Membership, flag: Flag, comment: str = "") -> Flag:
    """The rep's manager (or an admin) has seen the flag. A result below the minimum needs a comment: what
    happens next. The comment starts (or continues) the flag's thread."""
    flag = _locked(organization=organization, flag=flag)
    access = flag_access(organization=organization, viewer=actor)
    if not access.manages(flag):
        raise PermissionDenied(_("Only the rep's managers and admins can acknowledge a flag."))
    if flag.status == FlagStatus.WITHDRAWN:
        raise ValidationError(_("This flag was withdrawn: its period was closed again with new results."))
    if flag.status == FlagStatus.ACKNOWLEDGED:
        raise ValidationError(_("This flag is already acknowledged."))
    body = _clean_comment(
        comment, field="comment", required=flag.kind == FlagKind.BELOW_MINIMUM,
        required_message=_("Add a comment: a result below the minimum needs one (what happens next?)."),
    )  # fmt: skip
    now = timezone.now()
    if body:
        FlagComment.objects.create(organization=organization, flag=flag, author=actor.user, body=body)
    flag.status = FlagStatus.ACKNOWLEDGED
    flag.acknowledged_by = actor.user
    flag.acknowledged_at = now
    flag.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    return flag


@transaction.atomic
def flag_comment_create(*, organization: Organization, actor: Membership, flag: Flag, body: str) -> FlagComment:
    """Add to the flag's thread: the flagged rep responds, the rep's managers and admins comment. HR reads."""
    flag = _locked(organization=organization, flag=flag)
    access = flag_access(organization=organization, viewer=actor)
    if not (access.is_flagged_rep(flag) or access.manages(flag)):
        raise PermissionDenied(_("Only the flagged rep, their managers and admins can write on a flag."))
    if flag.status == FlagStatus.WITHDRAWN:
        raise ValidationError(_("This flag was withdrawn: its period was closed again with new results."))
    body = _clean_comment(body, field="body", required=True, required_message=_("Write something first."))
    return FlagComment.objects.create(organization=organization, flag=flag, author=actor.user, body=body)
