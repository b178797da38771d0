"""Việc của tôi: everything that waits for the person, on one screen."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import generic

from documents import permissions

from .. import selectors


class HomeView(LoginRequiredMixin, generic.TemplateView):
    template_name = "approvals/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            work=selectors.work_summary_for_request(self.request),
            can_create=permissions.can_create(user),
            recent_notifications=selectors.notification_list_for(user)[:5],
            **kwargs,
        )
