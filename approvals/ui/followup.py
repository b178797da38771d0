"""The follow-up on a plan's page and the assignment page: what was asked of whom, by when,
the reports that answered it, its history, and Văn phòng's review (accept, or send back)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from documents import confidential, workdays
from documents.followup import selectors
from documents.followup import services as followup
from documents.models import Assignment, Document
from documents.selectors import document_list_visible_to


def assignment_url(assignment: Assignment) -> str:
    return reverse("documents:assignment_detail", kwargs={"pk": assignment.pk})


def plan_context(user, document: Document) -> dict:
    """The plan page's "Phân công thực hiện": its assignments (part of its content, shown to
    whoever sees it), each one's state, and what the person may do about it."""
    rows = list(
        selectors.with_state(document.assignments.all())
        .select_related("lead_unit")
        .prefetch_related("supporting_units")
        .order_by("position", "pk")
    )
    if not rows:
        return {"assignments": [], "can_compile": False}
    visible = set(
        selectors.visible_assignments(user).filter(plan=document).values_list("pk", flat=True)
    )
    for row in rows:
        row.state_label = selectors.state_label(row.state)
        row.visible = row.pk in visible
        row.plan = document
        row.can_report = row.visible and followup.can_report(user, row)
    return {"assignments": rows, "can_compile": followup.can_compile(user, document)}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Kết quả xem xét"),
        choices=[
            ("accept", gettext_lazy("Xác nhận hoàn thành")),
            ("send_back", gettext_lazy("Yêu cầu báo cáo lại")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Hãy chọn kết quả xem xét.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Ý kiến"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Bắt buộc khi yêu cầu báo cáo lại."),
    )


def _visible_assignment(user, pk: int) -> Assignment:
    assignment = (
        selectors.with_state(selectors.visible_assignments(user))
        .select_related(
            "plan__document_type", "plan__organization", "plan__drafting_unit", "lead_unit"
        )
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404(_("Không tìm thấy nhiệm vụ."))
    return assignment


class AssignmentDetailView(LoginRequiredMixin, generic.TemplateView):
    """One assignment: 404 unless the person may see it (documents.followup.selectors)."""

    template_name = "approvals/assignment_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        assignment = _visible_assignment(user, kwargs["pk"])
        # The page shows the plan's number, subject and task: a read of a confidential plan.
        confidential.record_read(assignment.plan, user, confidential.READ_PAGE, page="assignment")
        reports = list(
            assignment.reports.select_related("document__document_type", "reviewed_by").order_by(
                "pk"
            )
        )
        readable = set(
            document_list_visible_to(user)
            .filter(pk__in=[r.document_id for r in reports])
            .values_list("pk", flat=True)
        )
        for report in reports:
            report.readable = report.document_id in readable
        today = timezone.localdate()
        overdue_days = None
        if assignment.state == Assignment.OVERDUE and assignment.due_on is not None:
            overdue_days = workdays.working_days_between(assignment.due_on, today)
        context = {
            "assignment": assignment,
            "state_label": selectors.state_label(assignment.state),
            "overdue_days": overdue_days,
            "reports": reports,
            "supporting": list(assignment.supporting_units.all()),
            "history": assignment.history.select_related("history_user").order_by(
                "history_date", "history_id"
            ),
            "can_report": followup.can_report(user, assignment),
            "can_review": followup.can_review(user, assignment),
        }
        if context["can_review"] and "review_form" not in kwargs:
            context["review_form"] = ReviewForm()
        return super().get_context_data(**context, **kwargs)


class AssignmentReviewView(AssignmentDetailView):
    """Văn phòng (or a leader) accepts the received report or sends it back (POST only)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        assignment = _visible_assignment(request.user, pk)
        if not followup.can_review(request.user, assignment):
            raise PermissionDenied(_("Bạn không có quyền xem xét báo cáo của nhiệm vụ này."))
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                followup.review(
                    assignment=assignment,
                    actor=request.user,
                    accept=form.cleaned_data["decision"] == "accept",
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                for name, errors in getattr(error, "message_dict", {None: error.messages}).items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Đã xác nhận hoàn thành nhiệm vụ.")
                    if form.cleaned_data["decision"] == "accept"
                    else _("Đã yêu cầu đơn vị báo cáo lại."),
                )
                return HttpResponseRedirect(assignment_url(assignment))
        context = self.get_context_data(pk=pk, review_form=form)
        return self.render_to_response(context, status=422)
