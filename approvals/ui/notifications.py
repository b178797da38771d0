"""The person's notifications, newest first; reading a page marks it, and everything older,
read."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import generic

from .. import notifications, selectors
from .pagination import CappedPaginator


class NotificationListView(LoginRequiredMixin, generic.ListView):
    template_name = "approvals/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 30
    paginator_class = CappedPaginator

    def get_queryset(self):
        return selectors.notification_list_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Shown as they were before this visit (unread ones highlighted), then marked read.
        shown = list(context["notifications"])
        context["notifications"] = shown
        notifications.mark_read(user=self.request.user, ids=[n.pk for n in shown if n.unread])
        return context
