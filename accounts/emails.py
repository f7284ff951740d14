"""E-mails sent by the accounts app, rendered in the organization's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation
from .selectors import invitation_token


def send_invitation_email(*, invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organization", "invited_by", "team").get(pk=invitation_id)
    if not invitation.is_pending:
        return  # withdrawn or used between the request and this task
    link = settings.SITE_URL + reverse("invitation-accept", kwargs={"token": invitation_token(invitation=invitation)})
    context = {"invitation": invitation, "organization": invitation.organization, "link": link}
    with translation.override(invitation.organization.language):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
