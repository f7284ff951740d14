"""Thin Celery tasks: look the row up by id and hand it to an e-mail helper."""

from celery import shared_task

from .emails import send_invitation_email


@shared_task
def send_invitation_email_task(invitation_id: int) -> None:
    send_invitation_email(invitation_id=invitation_id)
