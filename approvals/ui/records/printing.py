"""A printed copy of a document (Phụ lục VI, 6i–k): its PDF as the person may read it, marked
on every page with who printed it, when, and that it came from Văn thư."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views import generic

from approvals.ui.documents import signed_in_user
from approvals.ui.files import file_stem
from documents import trail
from documents.records import printing
from documents.selectors import document_get_visible


class DocumentPrintView(LoginRequiredMixin, generic.View):
    """GET: the marked copy inline, for the browser's print dialog; 404 for a document the
    person may not see, 409 for an altered original or a document without a file."""

    http_method_names = ["get"]

    def get(self, request, pk):
        user = signed_in_user(request)
        document = document_get_visible(user, pk)
        try:
            content = printing.printed_copy(document=document, actor=user)
        except trail.OriginalAltered as altered:
            # Never printed as if it were fine; the trail has recorded the finding.
            return render(
                request,
                "approvals/original_altered.html",
                {"document": document, "file_label": PurePosixPath(altered.name).name},
                status=409,
            )
        except printing.NothingToPrint as nothing:
            return render(
                request,
                "approvals/records/print_unavailable.html",
                {"document": document, "reason": str(nothing)},
                status=409,
            )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="ban-in-{file_stem(document)}.pdf"'
        response["Cache-Control"] = "private, no-store"  # each copy names its reader and time
        response["X-Content-Type-Options"] = "nosniff"
        return response


urls: list[URLPattern] = [
    path("van-ban/<int:pk>/ban-in/", DocumentPrintView.as_view(), name="document_print"),
]
