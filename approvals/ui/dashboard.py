"""The follow-up dashboard ("Theo dõi thực hiện"): per unit, what the plans assigned and how
it stands (by state; on time, late, overdue), the overdue assignments, the list, a chart; its
XLSX export and its printable page, with the same filters and the same visibility.

Who sees what is documents.followup.selectors' rule (``visible_assignments``): the agency's
leaders every unit, the plan's follow-up unit every unit of that plan, the other units their
own rows. The figures are counted in SQL (documents.followup.dashboard), so a page costs the
same number of queries however many plans and assignments there are.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.db.models import Min
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from documents import confidential, permissions
from documents.dates import vn_place_date
from documents.followup import dashboard as figures
from documents.followup import selectors
from documents.models import Assignment, Document, Unit

from .pagination import CappedPaginator

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PAGE_SIZE = 20
TIMELINESS_LABELS = {
    "on_time": gettext_lazy("Đúng hạn"),
    "late": gettext_lazy("Trễ hạn"),
    "overdue": gettext_lazy("Quá hạn"),
}


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if confidential.is_confidential(obj):  # never its subject on a shared page
            return obj.notation or confidential.safe_title(obj)
        head = obj.notation or obj.document_type.name
        return f"{head} — {obj.subject[:90]}"


class FollowUpFilterForm(forms.Form):
    """?plan=<pk>&unit=<pk>: among the plans and units of the assignments the person sees."""

    plan = PlanChoiceField(
        queryset=Document.objects.none(),
        required=False,
        label=gettext_lazy("Kế hoạch"),
        empty_label=gettext_lazy("Tất cả kế hoạch"),
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=gettext_lazy("Đơn vị chủ trì"),
        empty_label=gettext_lazy("Tất cả đơn vị"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        unit_field = self.fields["unit"]
        assert isinstance(plan_field, forms.ModelChoiceField)
        assert isinstance(unit_field, forms.ModelChoiceField)
        plan_field.queryset = figures.plans_for(user).select_related("document_type")
        unit_field.queryset = figures.units_for(user)


class BadFilter(Exception):
    """A ?plan= or ?unit= that is no number, or a unit not among the choices: 400."""

    def __init__(self, form: FollowUpFilterForm):
        super().__init__(form.errors.as_text())
        self.form = form


@dataclass(frozen=True)
class Scope:
    form: FollowUpFilterForm
    plan: Document | None
    unit: Unit | None
    today: dt.date
    assignments: Any  # QuerySet[Assignment] with its state

    @property
    def query(self) -> str:
        """The filters as a query string, for the export and the printable page."""
        params = {}
        if self.plan is not None:
            params["plan"] = self.plan.pk
        if self.unit is not None:
            params["unit"] = self.unit.pk
        return f"?{urlencode(params)}" if params else ""


def _is_number(raw: str) -> bool:
    return raw.isascii() and raw.isdigit()


class FollowUpAccessMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Signed in (else the login page), and one who may follow assignments up (else 403)."""

    request: HttpRequest

    def test_func(self) -> bool:
        return figures.may_follow_up(self.request.user)  # type: ignore[arg-type]

    def get_permission_denied_message(self) -> str:
        return _(
            "Trang Theo dõi thực hiện dành cho lãnh đạo cơ quan và các đơn vị được giao nhiệm "
            "vụ. Tài khoản của bạn không theo dõi nhiệm vụ nào."
        )

    def scope(self) -> Scope:
        """The filters read and checked: a plan the person may not see (or none such) is 404;
        a value that is no number, or a unit not among the choices, is BadFilter (400)."""
        user = self.request.user
        params = {key: self.request.GET.get(key, "").strip() for key in ("plan", "unit")}
        form = FollowUpFilterForm(params, user=user)  # type: ignore[arg-type]
        form.is_valid()
        for key, raw in params.items():
            if raw and not _is_number(raw) and key not in form.errors:
                # Django reads other scripts' digits ("٣") as numbers; the filter does not.
                form.add_error(key, _("Hãy chọn một mục trong danh sách."))
        if form.errors:
            if "plan" in form.errors and _is_number(params["plan"]):
                raise Http404(_("Không tìm thấy kế hoạch."))
            raise BadFilter(form)
        plan, unit = form.cleaned_data["plan"], form.cleaned_data["unit"]
        today = timezone.localdate()
        assignments = figures.scoped(user, today=today, plan=plan, unit=unit)  # type: ignore[arg-type]
        return Scope(form=form, plan=plan, unit=unit, today=today, assignments=assignments)

    def summary_context(self, scope: Scope) -> dict[str, Any]:
        summaries = figures.unit_summaries(scope.assignments)
        return {
            "scope": scope,
            "form": scope.form,
            "today": scope.today,
            "summaries": summaries,
            "total": figures.total_of(summaries, _("Tổng cộng")),
            "chart": figures.chart(summaries),
        }


class FollowUpDashboardView(FollowUpAccessMixin, generic.View):
    template_name = "approvals/followup/dashboard.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            scope = self.scope()
        except BadFilter as bad:
            invalid = {"form": bad.form, "invalid": True}
            return render(request, self.template_name, invalid, status=400)
        context = self.summary_context(scope)
        total: figures.UnitSummary = context["total"]
        overdue = figures.overdue_rows(scope.assignments, scope.today)
        paginator = CappedPaginator(figures.ordered_list(scope.assignments), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page_rows: list[Any] = list(page.object_list)
        rows = [
            {
                "assignment": assignment,
                "state_label": selectors.state_label(assignment.state),
                "timeliness": (
                    timeliness := figures.timeliness(
                        assignment.state, assignment.answered_on, assignment.due_on
                    )
                ),
                "timeliness_label": TIMELINESS_LABELS.get(timeliness, ""),
            }
            for assignment in page_rows
        ]
        context.update(
            overdue=overdue,
            overdue_more=max(total.overdue - len(overdue), 0),
            page_obj=page,
            paginator=paginator,
            rows=rows,
            xlsx_url=reverse("documents:followup_xlsx") + scope.query,
            print_url=reverse("documents:followup_print") + scope.query,
        )
        return render(request, self.template_name, context)


class FollowUpPrintView(FollowUpAccessMixin, generic.View):
    """A page to print: the agency's heading, the place and date, the table and the chart."""

    template_name = "approvals/followup/print.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            scope = self.scope()
        except BadFilter as bad:
            return HttpResponseBadRequest(str(bad), content_type="text/plain; charset=utf-8")
        context = self.summary_context(scope)
        organization = permissions.organization_of(request.user)  # type: ignore[arg-type]
        context.update(
            organization=organization,
            place_date=vn_place_date(organization.place, scope.today) if organization else "",
            dashboard_url=reverse("documents:followup_dashboard") + scope.query,
        )
        return render(request, self.template_name, context)


class FollowUpXlsxView(FollowUpAccessMixin, generic.View):
    """The assignments and the per-unit summary as an Excel workbook."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            scope = self.scope()
        except BadFilter as bad:
            return HttpResponseBadRequest(str(bad), content_type="text/plain; charset=utf-8")
        content = workbook(scope)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"theo-doi-thuc-hien-{scope.today:%Y-%m-%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- the workbook ---------------------------------------------------------------------------

DATE_FORMAT = "dd/mm/yyyy"


def workbook(scope: Scope, cap: int = figures.EXPORT_ROW_CAP) -> bytes:
    """Two sheets: the summary per unit, then the assignments (at most ``cap`` rows, read
    through ``.iterator()`` into a write-only workbook)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet: Any, titles: list[str], widths: list[int]) -> None:
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cells.append(cell)
        sheet.append(cells)

    def date_cell(sheet: Any, value: dt.date | None) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        if value is not None:
            cell.number_format = DATE_FORMAT
        return cell

    summaries = figures.unit_summaries(scope.assignments)
    total = figures.total_of(summaries, _("Tổng cộng"))
    summary = book.create_sheet(_("Tổng hợp theo đơn vị"))
    header(
        summary,
        [
            _("Đơn vị chủ trì"),
            _("Chưa thực hiện"),
            _("Đang thực hiện"),
            _("Đã báo cáo"),
            _("Hoàn thành"),
            _("Quá hạn"),
            _("Đúng hạn"),
            _("Trễ hạn"),
            _("Tổng số"),
        ],
        [48, 15, 15, 13, 13, 11, 11, 11, 11],
    )
    for row in [*summaries, total]:
        values = [row.name, *(getattr(row, key) for key in figures.COUNTED), row.total]
        if row is total:
            cells = [WriteOnlyCell(summary, value=value) for value in values]
            for cell in cells:
                cell.font = bold
            summary.append(cells)
        else:
            summary.append(values)
    summary.append([])
    summary.append([_("Số liệu đến ngày %(date)s") % {"date": f"{scope.today:%d/%m/%Y}"}])

    sheet = book.create_sheet(_("Nhiệm vụ"))
    header(
        sheet,
        [
            _("STT"),
            _("Kế hoạch"),
            _("Nhiệm vụ"),
            _("Đơn vị chủ trì"),
            _("Đơn vị phối hợp"),
            _("Thời hạn"),
            _("Trạng thái"),
            _("Ngày báo cáo"),
            _("Đúng hạn/Trễ hạn"),
            _("Số ngày làm việc quá hạn"),
        ],
        [6, 22, 60, 36, 40, 14, 16, 14, 16, 14],
    )
    earliest = scope.assignments.filter(state=Assignment.OVERDUE).aggregate(first=Min("due_on"))
    counter = figures.WorkingDays(earliest["first"], scope.today)
    rows = (
        figures.ordered_list(scope.assignments)
        .prefetch_related("supporting_units")[: cap + 1]
        .iterator(chunk_size=500)
    )
    written = 0
    capped = False
    assignment: Any
    for number, assignment in enumerate(rows, start=1):
        if number > cap:
            capped = True
            break
        written = number
        plan = assignment.plan
        timeliness = figures.timeliness(assignment.state, assignment.answered_on, assignment.due_on)
        overdue_days = (
            counter.since(assignment.due_on)
            if timeliness == "overdue" and assignment.due_on
            else None
        )
        sheet.append(
            [
                written,
                plan.notation or confidential.safe_title(plan),
                assignment.task,
                assignment.lead_unit.name,
                ", ".join(unit.name for unit in assignment.supporting_units.all()),
                date_cell(sheet, assignment.due_on)
                if assignment.due_on
                else assignment.deadline_text,
                selectors.state_label(assignment.state),
                date_cell(sheet, assignment.reported_on),
                str(TIMELINESS_LABELS.get(timeliness, "")),
                overdue_days,
            ]
        )
    if capped:
        note = WriteOnlyCell(
            sheet,
            value=_(
                "Chỉ xuất %(cap)s nhiệm vụ đầu tiên (theo thời hạn); lọc theo kế hoạch hoặc "
                "đơn vị để xuất các nhiệm vụ còn lại."
            )
            % {"cap": f"{cap:,}".replace(",", ".")},
        )
        note.font = bold
        sheet.append([])
        sheet.append([note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
