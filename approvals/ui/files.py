"""The document as files: the signed PDF original, a preview, a DOCX copy, and a page that
checks the digital signatures of any PDF."""

from __future__ import annotations

import io
import re
import unicodedata

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from documents import confidential, ltv, originals, signing, trail
from documents.models import Document, Rendition
from documents.rendering import render_docx, render_pdf
from documents.selectors import document_get_visible

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_VERIFY_SIZE = 20 * 1024 * 1024


def file_stem(document: Document) -> str:
    """'05-KH-STTTT' for an issued document, 'du-thao-12' for a draft; ASCII only."""
    text = document.notation or f"du thao {document.pk}"
    ascii_text = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")


def _offered(renditions: dict[str, Rendition]) -> Rendition | None:
    return renditions.get(Rendition.Kind.ISSUED) or renditions.get(Rendition.Kind.SIGNED_OFF)


def signed_original(document: Document) -> Rendition | None:
    """The issued PDF if there is one, else the one the signer signed, else none."""
    return _offered({r.kind: r for r in document.renditions.all()})


def originals_of(document: Document) -> tuple[Rendition | None, originals.Pending | None]:
    """The signed original to offer, and the one the document still waits for (being made
    in the background, or failed), from one read of its rows."""
    renditions = {r.kind: r for r in document.renditions.all()}
    return _offered(renditions), originals.pending(document, set(renditions))


class DocumentPdfView(LoginRequiredMixin, generic.View):
    """The signed original, byte for byte, once there is one; before that a preview marked
    DỰ THẢO, rendered from the current content (what the signer is asked to sign)."""

    def get(self, request, pk):
        document = document_get_visible(request.user, pk)
        confidential.record_read(document, request.user, confidential.READ_PDF)
        original = signed_original(document)
        if original is not None:
            try:
                content = trail.read_original(original)
            except trail.OriginalAltered:
                # Never served as if it were fine; the trail has recorded the finding.
                return render(
                    request,
                    "approvals/original_altered.html",
                    {"document": document, "file_label": original.get_kind_display()},
                    status=409,
                )
            disposition = "attachment" if "download" in request.GET else "inline"
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'{disposition}; filename="{file_stem(document)}.pdf"'
            return response
        buffer = io.BytesIO()
        render_pdf(document, buffer)
        response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{file_stem(document)}-du-thao.pdf"'
        return response


class DocumentDocxView(LoginRequiredMixin, generic.View):
    """An editable DOCX copy in the Decree 30 layout (not the signed original)."""

    def get(self, request, pk):
        document = document_get_visible(request.user, pk)
        confidential.record_read(document, request.user, confidential.READ_DOCX)
        buffer = io.BytesIO()
        render_docx(document, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=DOCX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{file_stem(document)}.docx"'
        return response


class VerifyForm(forms.Form):
    pdf = forms.FileField(
        label=gettext_lazy("Tệp PDF cần kiểm tra"),
        error_messages={"required": gettext_lazy("Hãy chọn một tệp PDF.")},
    )

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > MAX_VERIFY_SIZE:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(_("Tệp này không phải là tệp PDF."))
        return data


class SignatureVerifyView(LoginRequiredMixin, generic.FormView):
    """Who signed a PDF, when, with which certificate, and whether a byte changed since."""

    template_name = "approvals/verify.html"
    form_class = VerifyForm

    def form_valid(self, form):
        try:
            # Trust only the configured anchors (SIGNING CA_CERT and TRUST_ANCHORS); fetch
            # revocation data only when SIGNING['FETCH_REVOCATION'] allows it.
            reports = signing.verify_pdf(
                form.cleaned_data["pdf"], trust_roots=signing.trust_roots()
            )
        except ltv.LtvConfigurationError as error:
            form.add_error(
                "pdf", _("Cấu hình chứng thư gốc tin cậy bị lỗi: %(error)s") % {"error": error}
            )
            return self.form_invalid(form)
        except signing.SignatureVerificationError as error:
            form.add_error(
                "pdf", _("Không đọc được chữ ký số của tệp: %(error)s") % {"error": error}
            )
            return self.form_invalid(form)
        if not reports:
            form.add_error("pdf", _("Tệp không có chữ ký số nào."))
            return self.form_invalid(form)
        return self.render_to_response(
            self.get_context_data(form=VerifyForm(), reports=reports, checked=True)
        )
