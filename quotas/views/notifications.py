"""The member's own notifications: digests and summaries after each close, alerts, reminders."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from accounts.mixins import OrganizationMixin
from accounts.roles import Role

from ..selectors.notifications import notification_list, notification_unread_count
from ..services.notifications import notifications_mark_read

NOTIFICATION_PAGE_SIZE = 20


class NotificationListView(OrganizationMixin, TemplateView):
    """Newest first, unread ones highlighted; POST marks them all read."""

    required_role = Role.REP
    template_name = "quotas/notification_list.html"

    def get_context_data(self, **kwargs):
        recipient = self.request.user
        notifications = notification_list(organization=self.organization, recipient=recipient)
        page = Paginator(notifications, NOTIFICATION_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context = {
            "notifications": page.object_list,
            "page_obj": page,
            "unread_count": notification_unread_count(organization=self.organization, recipient=recipient),
        }
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        count = notifications_mark_read(organization=self.organization, recipient=request.user)
        if count:
            messages.success(
                request,
                ngettext("%(count)s notification marked read.", "%(count)s notifications marked read.", count)
                % {"count": count},
            )
        else:
            messages.info(request, _("Nothing was unread."))
        return redirect(reverse("quotas:notification-list", kwargs={"org_slug": self.organization.slug}))
