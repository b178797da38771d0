"""Tra cứu văn bản (issue 17): the search page with its filters, ranked and paged results,
the person's saved searches, and the results exported to XLSX and PDF (print mark at the
foot). Every result comes from documents.search.query.search, which starts from what the
person may see: no hit, count or export ever names a document they may not open."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View, generic

from documents.models import Document, DocumentType, SavedSearch
from documents.records.printing import mark_text
from documents.records.xlsx import text_cell
from documents.search.query import search

from ..pagination import CappedPaginator

EXPORT_CAP = 5000
PER_PAGE = 20
ANY = gettext_lazy("Bất kỳ")
NORMAL = "thuong"  # the choice that stands for "" (Thường) in urgency and confidentiality
DATE_FORMATS = ["%d/%m/%Y"]
BAD_DATE = gettext_lazy("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy.")
ORIGINS = [
    ("", ANY),
    (Document.Origin.OUTGOING, gettext_lazy("Văn bản đi")),
    (Document.Origin.INCOMING, gettext_lazy("Văn bản đến")),
    (Document.Origin.REFERENCE, gettext_lazy("Văn bản tham chiếu")),
]


def _with_normal(choices) -> list[tuple[str, Any]]:
    return [("", ANY), *((value or NORMAL, label) for value, label in choices)]


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Từ khóa"), required=False, max_length=500)
    document_type = forms.ModelChoiceField(
        label=gettext_lazy("Loại văn bản"),
        queryset=DocumentType.objects.order_by("name"),
        required=False,
        empty_label=ANY,
    )
    origin = forms.ChoiceField(label=gettext_lazy("Nguồn"), choices=ORIGINS, required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"),
        choices=[("", ANY), *Document.Status.choices],
        required=False,
    )
    issued_from = forms.DateField(
        label=gettext_lazy("Ban hành từ ngày"),
        input_formats=DATE_FORMATS,
        required=False,
        error_messages={"invalid": BAD_DATE},
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    issued_to = forms.DateField(
        label=gettext_lazy("đến ngày"),
        input_formats=DATE_FORMATS,
        required=False,
        error_messages={"invalid": BAD_DATE},
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Độ khẩn"),
        choices=_with_normal(Document.Urgency.choices),
        required=False,
    )
    confidentiality = forms.ChoiceField(
        label=gettext_lazy("Độ mật"),
        choices=_with_normal(Document.Confidentiality.choices),
        required=False,
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("issued_from"), data.get("issued_to")
        if first and last and first > last:
            self.add_error("issued_to", _("Ngày cuối phải sau ngày đầu."))
        return data

    def filters(self) -> dict[str, Any]:
        """The cleaned filters as documents.search.query reads them (None: any)."""
        data = self.cleaned_data
        result: dict[str, Any] = {
            "document_type": data.get("document_type"),
            "issued_from": data.get("issued_from"),
            "issued_to": data.get("issued_to"),
        }
        for name in ("origin", "status", "urgency", "confidentiality"):
            value = data.get(name) or None
            result[name] = "" if value == NORMAL else value
        return result

    def has_criteria(self) -> bool:
        return any(value not in (None, "") for value in self.cleaned_data.values())


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên tra cứu"), max_length=100)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Hãy đặt tên cho tra cứu."))
        if SavedSearch.objects.filter(user=self.user, name=name).exists():
            raise forms.ValidationError(_("Bạn đã có một tra cứu mang tên này."))
        return name

    def clean_query(self) -> str:
        return self.cleaned_data["query"].lstrip("?")


def query_string(params) -> str:
    """The search's GET parameters without the page: for the pager, exports and saving."""
    pairs = [(key, value) for key, value in params.items() if key != "page" and value]
    return urlencode(pairs)


def _results(user, form: SearchForm, *, candidates: int | None = None) -> QuerySet[Document]:
    kwargs = {"candidates": candidates} if candidates is not None else {}
    return search(user, form.cleaned_data.get("q") or "", form.filters(), **kwargs)


class SearchView(LoginRequiredMixin, generic.TemplateView):
    """The search page: the form, the results (20 a page, counts capped), saved searches."""

    template_name = "approvals/records/search.html"
    http_method_names = ["get"]

    def get_context_data(self, **kwargs):
        request = self.request
        form = kwargs.pop("form", None) or SearchForm(request.GET or None)
        context: dict[str, Any] = {
            "form": form,
            "query": query_string(request.GET),
            "saved_searches": SavedSearch.objects.filter(user=request.user),
            "save_form": kwargs.pop("save_form", None)
            or SavedSearchForm(user=request.user, initial={"query": query_string(request.GET)}),
        }
        if form.is_bound and form.is_valid() and form.has_criteria():
            paginator = CappedPaginator(_results(request.user, form), PER_PAGE)
            page = paginator.get_page(request.GET.get("page"))
            context.update(page_obj=page, results=page.object_list, searched=True)
        return super().get_context_data(**context, **kwargs)


class SearchExport(LoginRequiredMixin, View):
    """The results of the same search, at most EXPORT_CAP rows; a bad form: the page, 422."""

    http_method_names = ["get"]

    def get(self, request):
        form = SearchForm(request.GET)
        if not form.is_valid():
            view = SearchView(request=request, args=(), kwargs={})
            context = view.get_context_data(form=form)
            return view.render_to_response(context, status=422)
        rows = list(_results(request.user, form, candidates=EXPORT_CAP + 1)[: EXPORT_CAP + 1])
        capped = len(rows) > EXPORT_CAP
        note = (
            _("Chỉ xuất %(cap)s văn bản đầu tiên; thu hẹp điều kiện tra cứu để xuất phần còn lại.")
            % {"cap": f"{EXPORT_CAP:,}".replace(",", ".")}
            if capped
            else ""
        )
        return self.export(request, rows[:EXPORT_CAP], form, note)

    def export(self, request, rows: list[Document], form: SearchForm, note: str) -> HttpResponse:
        raise NotImplementedError


def _row(document: Document) -> list[Any]:
    return [
        document.notation or _("Dự thảo"),
        document.issued_on,
        document.document_type.name,
        document.subject,
        document.get_origin_display(),
        document.get_status_display(),
        document.get_urgency_display(),
        document.get_confidentiality_display(),
    ]


HEADERS = [
    gettext_lazy("Số, ký hiệu"),
    gettext_lazy("Ngày ban hành"),
    gettext_lazy("Loại văn bản"),
    gettext_lazy("Trích yếu"),
    gettext_lazy("Nguồn"),
    gettext_lazy("Trạng thái"),
    gettext_lazy("Độ khẩn"),
    gettext_lazy("Độ mật"),
]


def _filename(extension: str) -> str:
    return f"tra-cuu-van-ban-{timezone.localdate():%Y-%m-%d}.{extension}"


class SearchXlsxView(SearchExport):
    def export(self, request, rows, form, note):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Kết quả tra cứu"))
        for index, width in enumerate([6, 20, 14, 18, 70, 26, 24, 12, 12]):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        bold = Font(bold=True)
        titles = [text_cell(sheet, str(t)) for t in [_("STT"), *HEADERS]]
        for cell in titles:
            cell.font = bold
        sheet.append(titles)
        for number, document in enumerate(rows, start=1):
            values = [text_cell(sheet, value) for value in [number, *_row(document)]]
            values[2].number_format = "dd/mm/yyyy"
            sheet.append(values)
        sheet.append([])
        if note:
            sheet.append([text_cell(sheet, note)])
        sheet.append([text_cell(sheet, mark_text(request.user))])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
        return response


class SearchPdfView(SearchExport):
    def export(self, request, rows, form, note):
        from weasyprint import HTML  # heavy import (Pango), only when a PDF is made

        html = render_to_string(
            "approvals/records/search_pdf.html",
            {
                "rows": rows,
                "headers": HEADERS,
                "note": note,
                "mark": mark_text(request.user),
                "q": form.cleaned_data.get("q") or "",
                "today": timezone.localdate(),
            },
        )
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{_filename("pdf")}"'
        return response


class SavedSearchCreateView(LoginRequiredMixin, View):
    """Save the current search under a name (unique per person: else a form error, 422)."""

    http_method_names = ["post"]

    def post(self, request):
        form = SavedSearchForm(request.POST, user=request.user)
        if form.is_valid():
            SavedSearch.objects.create(
                user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
            )
            messages.success(request, _("Đã lưu tra cứu."))
            query = form.cleaned_data["query"]
            return HttpResponseRedirect(reverse("records:search") + (f"?{query}" if query else ""))
        view = SearchView(request=request, args=(), kwargs={})
        context = view.get_context_data(save_form=form, form=SearchForm())
        return view.render_to_response(context, status=422)


class SavedSearchDeleteView(LoginRequiredMixin, View):
    """Delete one of one's own saved searches; another person's answers 404."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
        saved.delete()
        messages.success(request, _("Đã xóa tra cứu đã lưu."))
        return HttpResponseRedirect(reverse("records:search"))


urls: list[URLPattern] = [
    path("tra-cuu/", SearchView.as_view(), name="search"),
    path("tra-cuu/xuat-excel/", SearchXlsxView.as_view(), name="search_xlsx"),
    path("tra-cuu/xuat-pdf/", SearchPdfView.as_view(), name="search_pdf"),
    path("tra-cuu/da-luu/", SavedSearchCreateView.as_view(), name="saved_search_create"),
    path(
        "tra-cuu/da-luu/<int:pk>/xoa/", SavedSearchDeleteView.as_view(), name="saved_search_delete"
    ),
]
