"""Reads of in-app notifications: a member sees only their own, in the organization they are looking at."""

from django.db.models import QuerySet

from accounts.models import Organization, User

from ..models import Notification


def notification_list(*, organization: Organization, recipient: User) -> QuerySet[Notification]:
    """The recipient's notifications in this organization, newest first."""
    return Notification.objects.filter(organization=organization, recipient=recipient).order_by("-created_at", "-pk")


def notification_unread_count(*, organization: Organization, recipient: User) -> int:
    return Notification.objects.filter(organization=organization, recipient=recipient, read_at__isnull=True).count()
