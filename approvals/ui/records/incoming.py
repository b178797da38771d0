"""Incoming documents (văn bản đến) of the records office: the list, reception, a document's
page with the steps the person may take, and the printable Phiếu giải quyết văn bản đến.
The rules are documents.records.incoming's; these views ask and show."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import generic

from approvals.ui.pagination import CappedPaginator
from documents import audit, confidential
from documents.models import Event, IncomingRecord
from documents.records import incoming
from documents.records import incoming_selectors as rules
from documents.records.printing import mark_text
from documents.rendering.fonts import FAMILY_CSS
from documents.selectors import document_list_visible_to, document_timeline

from . import incoming_forms as forms_


def detail_url(record: IncomingRecord) -> str:
    return reverse("records:incoming_detail", args=[record.document_id])


def _errors_onto(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _visible(user, pk: int) -> IncomingRecord:
    record = rules.incoming_get_visible(user, pk)
    if record is None:
        raise Http404(_("Không tìm thấy văn bản đến."))
    return record


class IncomingListView(LoginRequiredMixin, generic.ListView):
    """Sổ văn bản đến as a list: what the person may see, urgent ones first, newest số đến."""

    template_name = "approvals/records/incoming_list.html"
    context_object_name = "records"
    paginate_by = 20
    paginator_class = CappedPaginator

    def get_queryset(self):
        rows = rules.incoming_list_visible_to(self.request.user)
        self.filter_form = forms_.IncomingFilter(self.request.GET or None)
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data.get("status"):
                rows = rows.filter(status=data["status"])
            if data.get("year"):
                rows = rows.filter(arrival_year=data["year"])
            text = (data.get("q") or "").strip()
            if text:
                rows = rows.filter(
                    Q(document__subject__icontains=text)
                    | Q(document__notation__icontains=text)
                    | Q(sender_name__icontains=text)
                )
        return rows

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter_form=self.filter_form,
            query=query.urlencode(),
            can_register=rules.can_register(self.request.user),
            **kwargs,
        )


class IncomingCreateView(LoginRequiredMixin, generic.FormView):
    """Tiếp nhận văn bản đến: the văn thư uploads the file and enters its metadata."""

    template_name = "approvals/records/incoming_form.html"
    form_class = forms_.RegisterForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not rules.can_register(request.user):
            raise PermissionDenied(_("Chỉ văn thư của cơ quan được tiếp nhận văn bản đến."))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            record = incoming.incoming_register(actor=self.request.user, **form.service_arguments())
        except ValidationError as error:
            _errors_onto(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=422)
        messages.success(
            self.request,
            _("Đã vào sổ văn bản đến: số đến %(number)s/%(year)s. %(signature)s")
            % {
                "number": record.arrival_number,
                "year": record.arrival_year,
                "signature": record.get_signature_status_display(),
            },
        )
        return HttpResponseRedirect(detail_url(record))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


def _detail_context(request, record: IncomingRecord, **forms) -> dict:
    """The page: the document, its check, its state, its assignment and what may be done."""
    user = request.user
    document = record.document
    assignment = rules.assignment_of(record)
    organization_id = record.organization_id
    offered = {
        "present_form": rules.can_present(user, record)
        and forms_.PresentForm(organization_id=organization_id),
        "send_back_form": rules.can_send_back(user, record) and forms_.SendBackForm(),
        "instruct_form": rules.can_instruct(user, record)
        and forms_.InstructForm(organization_id=organization_id, initial={"due_on": record.due_on}),
        "give_form": rules.can_give(user, record, assignment)
        and forms_.GiveForm(unit=assignment.lead_unit),  # type: ignore[union-attr]
        "propose_form": rules.can_propose(user, record)
        and forms_.ProposeForm(initial={"proposal": record.proposal}),
        "complete_form": rules.can_complete(user, record, assignment) and forms_.CompleteForm(),
    }
    offered.update({name: form for name, form in forms.items() if name in offered})
    replies = list(document.cited_by.select_related("document_type").order_by("pk"))
    visible = set(
        document_list_visible_to(user)
        .filter(pk__in=[r.pk for r in replies])
        .values_list("pk", flat=True)
    )
    return {
        "record": record,
        "document": document,
        "signatures": _signatures(record),
        "attachments": list(document.attachments.all()),
        "assignment": assignment,
        "assignment_state": assignment and _state_label(assignment),
        "replies": [(reply, reply.pk in visible) for reply in replies],
        "can_answer": rules.can_answer(user, record, assignment),
        "timeline": document_timeline(document),
        **offered,
    }


def _signatures(record: IncomingRecord) -> list[dict]:
    """The stored report, its times read back for display."""
    rows = []
    for row in record.signature_report or []:
        row = dict(row)
        try:
            row["when"] = dt.datetime.fromisoformat(row["time"]) if row.get("time") else None
        except (TypeError, ValueError):
            row["when"] = None
        rows.append(row)
    return rows


def _state_label(assignment) -> str:
    from documents.followup import selectors

    today = timezone.localdate()
    state = assignment.status
    if state in assignment.OPEN_STATUSES and assignment.due_on and assignment.due_on < today:
        state = assignment.OVERDUE
    return selectors.state_label(state)


class IncomingDetailView(LoginRequiredMixin, generic.View):
    """One incoming document: 404 unless the person sees it; a confidential one's read is
    recorded."""

    def get(self, request, pk: int):
        record = _visible(request.user, pk)
        confidential.record_read(record.document, request.user, confidential.READ_PAGE)
        context = _detail_context(request, record)
        return render(request, "approvals/records/incoming_detail.html", context)


class IncomingActionView(LoginRequiredMixin, generic.View):
    """One step on an incoming document (POST only): 404 if not seen, 403 if not theirs,
    the page again with the form's errors (422) on bad input."""

    http_method_names = ["post"]
    form_name = ""
    done = ""

    def allowed(self, user, record: IncomingRecord) -> bool:
        raise NotImplementedError

    def make_form(self, record: IncomingRecord, data):
        raise NotImplementedError

    def perform(self, record: IncomingRecord, form) -> None:
        raise NotImplementedError

    def post(self, request, pk: int):
        record = _visible(request.user, pk)
        if not self.allowed(request.user, record):
            raise PermissionDenied(_("Bạn không thể thực hiện bước này với văn bản đến này."))
        form = self.make_form(record, request.POST)
        if form.is_valid():
            try:
                self.perform(record, form)
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                messages.success(request, self.done)
                return HttpResponseRedirect(detail_url(record))
        context = _detail_context(request, record, **{self.form_name: form})
        return render(request, "approvals/records/incoming_detail.html", context, status=422)


class PresentView(IncomingActionView):
    form_name, done = "present_form", _("Đã trình lãnh đạo.")

    def allowed(self, user, record):
        return rules.can_present(user, record)

    def make_form(self, record, data):
        return forms_.PresentForm(data, organization_id=record.organization_id)

    def perform(self, record, form):
        incoming.incoming_present(
            record=record, actor=self.request.user, leader=form.cleaned_data["leader"]
        )


class SendBackView(IncomingActionView):
    form_name, done = "send_back_form", _("Đã trả lại văn bản cho nơi gửi.")

    def allowed(self, user, record):
        return rules.can_send_back(user, record)

    def make_form(self, record, data):
        return forms_.SendBackForm(data)

    def perform(self, record, form):
        incoming.incoming_send_back(
            record=record, actor=self.request.user, reason=form.cleaned_data["reason"]
        )


class InstructView(IncomingActionView):
    form_name, done = "instruct_form", _("Đã cho ý kiến chỉ đạo và giao xử lý.")

    def allowed(self, user, record):
        return rules.can_instruct(user, record)

    def make_form(self, record, data):
        return forms_.InstructForm(data, organization_id=record.organization_id)

    def perform(self, record, form):
        data = form.cleaned_data
        incoming.incoming_instruct(
            record=record,
            actor=self.request.user,
            instruction=data["instruction"],
            lead_unit=data["lead_unit"],
            supporting_units=list(data["supporting_units"]),
            due_on=data["due_on"],
        )


class GiveView(IncomingActionView):
    form_name, done = "give_form", _("Đã giao người giải quyết.")

    def allowed(self, user, record):
        self.assignment = rules.assignment_of(record)
        return rules.can_give(user, record, self.assignment)

    def make_form(self, record, data):
        return forms_.GiveForm(data, unit=self.assignment.lead_unit)

    def perform(self, record, form):
        incoming.incoming_give(record=record, actor=self.request.user, **form.cleaned_data)


class ProposeView(IncomingActionView):
    form_name, done = "propose_form", _("Đã ghi ý kiến đề xuất.")

    def allowed(self, user, record):
        return rules.can_propose(user, record)

    def make_form(self, record, data):
        return forms_.ProposeForm(data)

    def perform(self, record, form):
        incoming.incoming_propose(record=record, actor=self.request.user, **form.cleaned_data)


class CompleteView(IncomingActionView):
    form_name, done = "complete_form", _("Đã xác nhận giải quyết xong.")

    def allowed(self, user, record):
        return rules.can_complete(user, record, rules.assignment_of(record))

    def make_form(self, record, data):
        return forms_.CompleteForm(data)

    def perform(self, record, form):
        incoming.incoming_complete(record=record, actor=self.request.user, **form.cleaned_data)


class SlipView(LoginRequiredMixin, generic.View):
    """Phiếu giải quyết văn bản đến (Phụ lục IV, mẫu VII) as a PDF, the print mark at the
    foot of each page; a print of a confidential one is on its trail."""

    @staticmethod
    def render(request, record, assignment) -> str:
        return render_to_string(
            "approvals/records/incoming_slip_pdf.html",
            {
                "record": record,
                "document": record.document,
                "organization": record.document.organization,
                "assignment": assignment,
                "supporting": list(assignment.supporting_units.all()) if assignment else [],
                "today": timezone.localdate(),
                "mark": mark_text(request.user),
                "font_family": FAMILY_CSS,
            },
        )

    def get(self, request, pk: int):
        record = _visible(request.user, pk)
        assignment = rules.assignment_of(record)
        # A form of the decree (mẫu VII), printed in the office's language whatever the
        # reader's interface language, its print mark included.
        with translation.override(settings.LANGUAGE_CODE):
            html = self.render(request, record, assignment)
        from weasyprint import HTML  # heavy import (Pango), only when a PDF is made

        pdf = HTML(string=html).write_pdf()
        if record.document.is_confidential:
            with transaction.atomic():
                audit.record(
                    document=record.document,
                    actor=request.user,
                    kind=Event.Kind.PRINTED,
                    data={"copy": "phieu-giai-quyet"},
                )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"phieu-giai-quyet-{record.arrival_number}-{record.arrival_year}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


urls: list[URLPattern] = [
    path("van-ban-den/", IncomingListView.as_view(), name="incoming_list"),
    path("van-ban-den/tiep-nhan/", IncomingCreateView.as_view(), name="incoming_create"),
    path("van-ban-den/<int:pk>/", IncomingDetailView.as_view(), name="incoming_detail"),
    path("van-ban-den/<int:pk>/trinh/", PresentView.as_view(), name="incoming_present"),
    path("van-ban-den/<int:pk>/tra-lai/", SendBackView.as_view(), name="incoming_send_back"),
    path("van-ban-den/<int:pk>/chi-dao/", InstructView.as_view(), name="incoming_instruct"),
    path("van-ban-den/<int:pk>/giao/", GiveView.as_view(), name="incoming_give"),
    path("van-ban-den/<int:pk>/de-xuat/", ProposeView.as_view(), name="incoming_propose"),
    path("van-ban-den/<int:pk>/hoan-thanh/", CompleteView.as_view(), name="incoming_complete"),
    path("van-ban-den/<int:pk>/phieu-giai-quyet/", SlipView.as_view(), name="incoming_slip"),
]
