"""Case files (hồ sơ) of the records office: the agency's list for the year, a case file's
page, filing documents, closing, the table of contents and cover PDFs, and the package for
the archive. The rules are documents.records.casefiles'; these views ask and show."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from approvals.ui.pagination import CappedPaginator
from documents.models import CaseFile, Document, Unit
from documents.permissions import is_clerk, organization_of
from documents.records import casefile_package as package
from documents.records import casefiles

from .casefile_forms import CaseFileFilter, CaseFileForm, FileForm, UnfileForm


def detail_url(case_file: CaseFile) -> str:
    return reverse("records:casefile_detail", args=[case_file.pk])


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class CaseFileListView(LoginRequiredMixin, generic.ListView):
    """The list of case files for a year (danh mục hồ sơ): those the person may see."""

    template_name = "approvals/records/casefile_list.html"
    context_object_name = "case_files"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self):
        user = self.request.user
        organization = organization_of(user)
        units = Unit.objects.filter(organization=organization, kind=Unit.Kind.INTERNAL)
        self.filter_form = CaseFileFilter(self.request.GET or None, units=units)
        rows = casefiles.case_files_visible_to(user)
        year = timezone.localdate().year
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            year = data.get("year") or year
            if data.get("unit"):
                rows = rows.filter(unit=data["unit"])
            if data.get("status"):
                rows = rows.filter(status=data["status"])
        self.year = year
        return rows.filter(year=year).order_by("code", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            year=self.year,
            can_manage=casefiles.can_manage(self.request.user),
            **kwargs,
        )


class CaseFileFormView(LoginRequiredMixin, generic.FormView):
    """Create (no pk) or edit an open case file of the list: the văn thư and the leaders."""

    template_name = "approvals/records/casefile_form.html"
    form_class = CaseFileForm
    case_file: CaseFile | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if "pk" in kwargs:
            self.case_file = casefiles.case_file_get_visible(request.user, kwargs["pk"])
            if not casefiles.can_edit(request.user, self.case_file):
                raise PermissionDenied(_("Hồ sơ này không sửa được, hoặc bạn không có quyền."))
        elif not casefiles.can_manage(request.user):
            raise PermissionDenied(_("Chỉ văn thư và lãnh đạo cơ quan lập danh mục hồ sơ."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organization"] = organization_of(self.request.user)
        if self.case_file is not None:
            kwargs["initial"] = CaseFileForm.initial_for(self.case_file)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(case_file=self.case_file, **kwargs)

    def form_valid(self, form):
        values = form.values()
        try:
            if self.case_file is None:
                case_file = casefiles.case_file_create(actor=self.request.user, **values)
                messages.success(self.request, _("Đã thêm hồ sơ %(c)s.") % {"c": case_file.code})
            else:
                case_file = casefiles.case_file_update(
                    case_file=self.case_file, actor=self.request.user, **values
                )
                messages.success(self.request, _("Đã lưu hồ sơ %(c)s.") % {"c": case_file.code})
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(detail_url(case_file))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


class CaseFileDetailView(LoginRequiredMixin, generic.TemplateView):
    """A case file: its facts, its documents (confidential subjects only to their readers),
    and what the person may do."""

    template_name = "approvals/records/casefile_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        case_file = casefiles.case_file_get_visible(user, kwargs["pk"])
        entries = casefiles.entries_of(case_file)
        visible = package.readable_ids(entries, user)
        clerk = is_clerk(user)
        for entry in entries:
            entry.readable = entry.document_id in visible
            entry.title = entry.document.subject if entry.readable else package.masked_text()
            entry.date = casefiles.document_date(entry.document) if entry.readable else None
            entry.can_unfile = entry.readable or clerk
        confidential = any(e.document.is_confidential for e in entries)
        return super().get_context_data(
            case_file=case_file,
            entries=entries,
            maintenance=package.maintenance(case_file),
            history=case_file.history.select_related("history_user").order_by("-history_date")[:20],
            can_edit=casefiles.can_edit(user, case_file),
            can_file=casefiles.can_file(user, case_file),
            can_close=casefiles.can_close(user, case_file) and bool(entries),
            can_export=casefiles.can_export(user, case_file, confidential=confidential),
            can_transfer=casefiles.can_transfer(user, case_file),
            **kwargs,
        )


class CaseFileFileView(LoginRequiredMixin, generic.View):
    """File a document into a case file (POST: case_file, document), from the document's page."""

    http_method_names = ["post"]

    def post(self, request):
        form = FileForm(request.POST, user=request.user)
        if form.is_valid():
            case_file, document = form.cleaned_data["case_file"], form.cleaned_data["document"]
            try:
                casefiles.document_file(case_file=case_file, document=document, actor=request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request, _("Đã đưa văn bản vào hồ sơ %(c)s.") % {"c": case_file.code}
                )
                return HttpResponseRedirect(
                    reverse("documents:document_detail", args=[document.pk])
                )
        return render(
            request, "approvals/records/casefile_file_error.html", {"form": form}, status=422
        )


class CaseFileActionView(LoginRequiredMixin, generic.View):
    """A POST on one visible case file: unfile a document, close it, mark it transferred."""

    http_method_names = ["post"]
    action = ""

    def post(self, request, pk):
        user = request.user
        case_file = casefiles.case_file_get_visible(user, pk)
        try:
            if self.action == "unfile":
                form = UnfileForm(request.POST, case_file=case_file, user=user)
                if not form.is_valid():
                    raise ValidationError(form.errors.get("document") or _("Hãy chọn văn bản."))
                document = form.cleaned_data["document"]
                casefiles.document_unfile(case_file=case_file, document=document, actor=user)
                messages.success(request, _("Đã rút văn bản khỏi hồ sơ."))
            elif self.action == "close":
                casefiles.case_file_close(case_file=case_file, actor=user)
                messages.success(request, _("Đã kết thúc hồ sơ; mục lục và bìa hồ sơ đã sẵn sàng."))
            else:
                casefiles.case_file_transfer(case_file=case_file, actor=user)
                messages.success(request, _("Đã đánh dấu hồ sơ đã nộp lưu."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(detail_url(case_file), status=303)
        return HttpResponseRedirect(detail_url(case_file))


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


class CaseFileTocPdfView(LoginRequiredMixin, generic.View):
    """Mục lục văn bản of a visible case file, with the print mark."""

    def get(self, request, pk):
        case_file = casefiles.case_file_get_visible(request.user, pk)
        stem = package.ascii_stem(case_file.code)
        return _pdf(package.toc_pdf(case_file, request.user), f"muc-luc-{stem}.pdf")


class CaseFileCoverPdfView(LoginRequiredMixin, generic.View):
    """Bìa hồ sơ of a visible case file, with the print mark."""

    def get(self, request, pk):
        case_file = casefiles.case_file_get_visible(request.user, pk)
        stem = package.ascii_stem(case_file.code)
        return _pdf(package.cover_pdf(case_file, request.user), f"bia-ho-so-{stem}.pdf")


class CaseFilePackageView(LoginRequiredMixin, generic.View):
    """The ZIP for the archive: a closed case file; the văn thư or a leader (the văn thư
    alone when it holds a confidential document)."""

    def get(self, request, pk):
        case_file = casefiles.case_file_get_visible(request.user, pk)
        if case_file.status == CaseFile.Status.OPEN:
            raise PermissionDenied(_("Hồ sơ chưa kết thúc, chưa thể kết xuất gói nộp lưu."))
        if not casefiles.can_export(request.user, case_file):
            raise PermissionDenied(_("Bạn không được kết xuất gói nộp lưu của hồ sơ này."))
        try:
            content = package.build_package(case_file, request.user)
        except package.PackageError as error:
            context = {"case_file": case_file, "error": str(error)}
            return render(
                request, "approvals/records/casefile_package_error.html", context, status=409
            )
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="{package.package_name(case_file)}"'
        )
        return response


def document_case_files(user: User, document: Document) -> dict:
    """The document page's part: the case files holding it the person may see, and the open
    ones they may file it into (one query)."""
    holding, open_files = casefiles.case_files_around(document, user)
    return {"casefiles_holding": holding, "casefiles_open": open_files}


urls: list[URLPattern] = [
    path("ho-so/", CaseFileListView.as_view(), name="casefile_list"),
    path("ho-so/lap-moi/", CaseFileFormView.as_view(), name="casefile_create"),
    path("ho-so/dua-vao/", CaseFileFileView.as_view(), name="casefile_file"),
    path("ho-so/<int:pk>/", CaseFileDetailView.as_view(), name="casefile_detail"),
    path("ho-so/<int:pk>/sua/", CaseFileFormView.as_view(), name="casefile_edit"),
    path(
        "ho-so/<int:pk>/rut/", CaseFileActionView.as_view(action="unfile"), name="casefile_unfile"
    ),
    path(
        "ho-so/<int:pk>/ket-thuc/",
        CaseFileActionView.as_view(action="close"),
        name="casefile_close",
    ),
    path(
        "ho-so/<int:pk>/nop-luu/",
        CaseFileActionView.as_view(action="transfer"),
        name="casefile_transfer",
    ),
    path("ho-so/<int:pk>/muc-luc.pdf", CaseFileTocPdfView.as_view(), name="casefile_toc_pdf"),
    path("ho-so/<int:pk>/bia.pdf", CaseFileCoverPdfView.as_view(), name="casefile_cover_pdf"),
    path("ho-so/<int:pk>/goi-nop-luu.zip", CaseFilePackageView.as_view(), name="casefile_package"),
]
