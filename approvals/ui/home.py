"""Việc của tôi: what waits for the person, on one screen, the first few of each kind with
how many there are; each kind's full list is paginated (WorkListView)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from documents import permissions

from .. import selectors
from ..selectors import WorkSection
from .pagination import CappedPaginator

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Section:
    """How one kind of work is shown: its title, the WorkSummary field and the test id."""

    key: WorkSection
    field: str
    title: StrOrPromise
    testid: str


SECTIONS = (
    Section(WorkSection.TO_SIGN, "to_sign", _("Văn bản chờ ký duyệt"), "to-sign"),
    Section(WorkSection.RETURNED, "returned", _("Văn bản bị trả lại để chỉnh sửa"), "returned"),
    Section(WorkSection.DRAFTS, "drafts", _("Dự thảo của tôi"), "drafts"),
    Section(WorkSection.TO_ISSUE, "to_issue", _("Văn bản chờ cho số, ban hành"), "to-issue"),
    Section(
        WorkSection.RECEIPTS,
        "receipts",
        _("Văn bản gửi đến đơn vị, chờ xác nhận"),
        "receipts-pending",
    ),
    Section(
        WorkSection.ASSIGNMENTS, "assignments", _("Nhiệm vụ được giao cho đơn vị"), "assignments"
    ),
    Section(
        WorkSection.TO_REVIEW, "to_review", _("Báo cáo nhiệm vụ chờ xem xét"), "to-review"
    ),
    Section(WorkSection.TASKS, "tasks", _("Việc khác"), "other-tasks"),
)
BY_KEY = {section.key: section for section in SECTIONS}


def work_list_url(key: WorkSection) -> str:
    return reverse("documents:work_list", kwargs={"section": key.value})


class HomeView(LoginRequiredMixin, generic.TemplateView):
    template_name = "approvals/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        work = selectors.work_summary_for_request(self.request)
        sections = [
            {
                "section": section,
                "items": getattr(work, section.field),
                "count": getattr(work.counts, section.field),
                "url": work_list_url(section.key),
            }
            for section in SECTIONS
            if getattr(work.counts, section.field)
        ]
        return super().get_context_data(
            work=work,
            sections=sections,
            can_create=permissions.can_create(user),
            recent_notifications=selectors.notification_list_for(user)[:5],
            **kwargs,
        )


class WorkListView(LoginRequiredMixin, generic.ListView):
    """Every item of one kind of the person's work ("Xem tất cả"), a page at a time."""

    template_name = "approvals/work_list.html"
    context_object_name = "items"
    paginate_by = 20
    paginator_class = CappedPaginator

    def get_queryset(self):
        try:
            self.section = BY_KEY[WorkSection(self.kwargs["section"])]
        except ValueError as exc:
            raise Http404(_("Không có mục việc này.")) from exc
        return selectors.work_list(self.request.user, self.section.key)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)
