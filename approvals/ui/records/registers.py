"""The registers (Phụ lục IV): which books exist, a book's pages filtered by dates, and its
XLSX and PDF exports. The agency's văn thư reads every book; its leaders the ordinary ones;
everyone else is refused (403)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import generic

from documents import audit, permissions
from documents.models import Event, Organization
from documents.records import register_exports as exports
from documents.records import registers

PAGE_SIZE = 50
# A printed book is a period of it: WeasyPrint lays out about 70 rows a second, so a whole
# year of a busy agency (5,000 rows: 75 s) is not a web request. Above this the PDF asks for a
# narrower date range (a month is the usual printed period); the XLSX has no limit.
PDF_MAX_ROWS = 1000
DATE_INPUT = ["%d/%m/%Y"]


class RegisterFilterForm(forms.Form):
    """?from=dd/mm/yyyy&to=dd/mm/yyyy: the dates the register is narrowed to."""

    date_from = forms.DateField(
        label=gettext_lazy("Từ ngày"), required=False, input_formats=DATE_INPUT
    )
    date_to = forms.DateField(
        label=pgettext_lazy("end of a period", "Đến ngày"), required=False, input_formats=DATE_INPUT
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        for key in ("date_from", "date_to"):
            value = data.get(key)
            if value is not None and not registers.FIRST_YEAR <= value.year <= registers.LAST_YEAR:
                self.add_error(key, _("Ngày không hợp lệ."))
        if start and end and start > end:
            self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


def filter_form(request: HttpRequest) -> RegisterFilterForm:
    params = {
        "date_from": request.GET.get("from", "").strip()[:20],
        "date_to": request.GET.get("to", "").strip()[:20],
    }
    return RegisterFilterForm(params)


def _organization(user: Any) -> Organization:
    """The reader's agency (the access test made sure there is one)."""
    organization = permissions.organization_of(user)
    if organization is None:
        raise PermissionDenied(_("Sổ đăng ký văn bản chỉ dành cho văn thư và lãnh đạo cơ quan."))
    return organization


class RegisterAccessMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Signed in (else the login page), the agency's văn thư or one of its leaders (else 403)."""

    request: HttpRequest

    def test_func(self) -> bool:
        return registers.can_view_registers(self.request.user)  # type: ignore[arg-type]

    def get_permission_denied_message(self) -> str:
        return _("Sổ đăng ký văn bản chỉ dành cho văn thư và lãnh đạo cơ quan.")


class RegisterIndexView(RegisterAccessMixin, generic.View):
    """The books holding rows, per year, with their counts."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        organization = _organization(user)
        books = registers.books_of(organization, confidential=permissions.is_clerk(user))
        years: dict[int, list[registers.BookSummary]] = {}
        for summary in books:
            years.setdefault(summary.year, []).append(summary)
        context = {"years": sorted(years.items(), reverse=True), "titles": registers.TITLES}
        return render(request, "approvals/records/register_index.html", context)


class RegisterBookMixin(RegisterAccessMixin):
    """The book of the URL: an unknown kind, year or book is 404; a confidential book read by
    anyone but the văn thư is 403."""

    kwargs: dict[str, Any]

    def test_func(self) -> bool:
        kind, year = self.kwargs["kind"], self.kwargs["year"]
        if kind not in registers.KINDS or not registers.FIRST_YEAR <= year <= registers.LAST_YEAR:
            raise Http404(_("Không có sổ đăng ký này."))
        return super().test_func()

    def register(self, form: RegisterFilterForm | None = None) -> registers.Register:
        kind, book, year = self.kwargs["kind"], self.kwargs["book"], self.kwargs["year"]
        user: Any = self.request.user
        organization = _organization(user)
        if len(book) > 30 or not registers.book_exists(organization, kind, book, year):
            raise Http404(_("Không có sổ đăng ký này."))
        if not registers.can_view_book(user, book):
            raise PermissionDenied(_("Sổ văn bản mật chỉ văn thư cơ quan được xem và in."))
        data = form.cleaned_data if form is not None and form.is_valid() else {}
        return registers.Register(
            kind=kind,
            organization=organization,
            book=book,
            year=year,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            reveal_confidential=permissions.is_clerk(user),
        )


def _query(register: registers.Register) -> str:
    params = {}
    if register.date_from:
        params["from"] = f"{register.date_from:%d/%m/%Y}"
    if register.date_to:
        params["to"] = f"{register.date_to:%d/%m/%Y}"
    return f"?{urlencode(params)}" if params else ""


class RegisterDetailView(RegisterBookMixin, generic.View):
    template_name = "approvals/records/register_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = filter_form(request)
        register = self.register(form)
        context: dict[str, Any] = {
            "register": register,
            "form": form,
            "book_label": registers.book_label(register.book),
            "columns": [str(column.title) for column in register.columns],
            "numbers": [f"({n})" for n in range(1, len(register.columns) + 1)],
        }
        if not form.is_valid():
            return render(request, self.template_name, {**context, "invalid": True}, status=400)
        paginator = Paginator(registers.register_queryset(register), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        rows = registers.register_rows(register, page.object_list)
        query = _query(register)
        url_kwargs = {"kind": register.kind, "book": register.book, "year": register.year}
        context.update(
            cover=registers.register_cover(register),
            rows=[[exports.display_cell(value) for value in row.cells] for row in rows],
            page_obj=page,
            paginator=paginator,
            xlsx_url=reverse("records:register_xlsx", kwargs=url_kwargs) + query,
            pdf_url=reverse("records:register_pdf", kwargs=url_kwargs) + query,
            pdf_too_long=paginator.count > PDF_MAX_ROWS,
            pdf_max_rows=PDF_MAX_ROWS,
        )
        return render(request, self.template_name, context)


class RegisterExportView(RegisterBookMixin, generic.View):
    """The book as a file; a confidential book's copy is recorded on the system trail."""

    extension = ""
    content_type = ""

    def write(self, register: registers.Register, stream: io.BytesIO) -> None:
        raise NotImplementedError

    @staticmethod
    def trail_comment(register: registers.Register) -> str:
        """Stored in the trail: in the office's language, not the reader's."""
        with translation.override(settings.LANGUAGE_CODE):
            return _("In %(title)s, %(book)s, năm %(year)s") % {
                "title": register.title,
                "book": register.book,
                "year": register.year,
            }

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = filter_form(request)
        register = self.register(form)
        if not form.is_valid():
            message = _("Khoảng ngày không hợp lệ: hãy nhập ngày theo dạng dd/mm/yyyy.")
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        stream = io.BytesIO()
        self.write(register, stream)
        if register.confidential:
            audit.record_system(
                actor=request.user,  # type: ignore[arg-type]
                kind=Event.Kind.PRINTED,
                comment=self.trail_comment(register),
                data={
                    "register": register.kind,
                    "book": register.book,
                    "year": register.year,
                    "format": self.extension,
                    "from": _iso(register.date_from),
                    "to": _iso(register.date_to),
                },
            )
        response = HttpResponse(stream.getvalue(), content_type=self.content_type)
        name = exports.filename(register, self.extension)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


class RegisterXlsxView(RegisterExportView):
    extension = "xlsx"
    content_type = exports.XLSX_CONTENT_TYPE

    def write(self, register: registers.Register, stream: io.BytesIO) -> None:
        exports.write_xlsx(register, stream, user=self.request.user)  # type: ignore[arg-type]


class RegisterPdfView(RegisterExportView):
    extension = "pdf"
    content_type = "application/pdf"

    def write(self, register: registers.Register, stream: io.BytesIO) -> None:
        exports.write_pdf(register, stream, user=self.request.user)  # type: ignore[arg-type]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = filter_form(request)
        if form.is_valid() and registers.register_queryset(self.register(form)).count() > (
            PDF_MAX_ROWS
        ):
            message = _(
                "Bản in PDF của sổ tối đa %(max)s văn bản: hãy chọn khoảng thời gian ngắn hơn "
                "(ví dụ từng tháng), hoặc tải bản Excel của cả sổ."
            ) % {"max": f"{PDF_MAX_ROWS:,}".replace(",", ".")}
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return super().get(request, *args, **kwargs)


BOOK = "so-dang-ky/<str:kind>/<str:book>/<int:year>/"
urls: list[URLPattern] = [
    path("so-dang-ky/", RegisterIndexView.as_view(), name="register_index"),
    path(BOOK, RegisterDetailView.as_view(), name="register_detail"),
    path(BOOK + "excel/", RegisterXlsxView.as_view(), name="register_xlsx"),
    path(BOOK + "pdf/", RegisterPdfView.as_view(), name="register_pdf"),
]
