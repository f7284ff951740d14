"""E-mails sent by the accounts app, rendered in the recipient's language (their own, else the organization's)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation, User
from .selectors import invitation_token, language_for


def send_invitation_email(*, invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organization", "invited_by", "team").get(pk=invitation_id)
    if not invitation.is_pending:
        return  # withdrawn or used between the request and this task
    link = settings.SITE_URL + reverse("invitation-accept", kwargs={"token": invitation_token(invitation=invitation)})
    context = {"invitation": invitation, "organization": invitation.organization, "link": link}
    # An invitation may go to someone who has an account already: in their language, then.
    recipient = User.objects.filter(email__iexact=invitation.email).first()
    with translation.override(language_for(user=recipient, organization=invitation.organization)):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
