"""Ký số bằng thiết bị: the signer signs the signed-off original with the USB token in their
own browser (signing mode "client", documents.client_signing, docs/signing.md).

One JSON endpoint per document, called by approvals/static/approvals/client_signing.js:
GET gives what the signing service on the signer's computer must sign; POST brings its
signature back ({"signature": base64}), and the server finishes, checks and stores the
signed original. 404 for a document one may not see, 403 for anyone but its signer, 400
with {"error": ...} for a bad signature (nothing stored), 409 when nothing waits for one.
"""

from __future__ import annotations

import json

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse, RawPostDataException
from django.utils.translation import gettext as _
from django.views import generic

from documents import client_signing, originals
from documents.selectors import document_get_visible

from .documents import document_url, signed_in_user

MAX_BODY = 64 * 1024  # a signature value is a few hundred bytes


def _refusal(error: Exception) -> JsonResponse:
    if isinstance(error, PermissionDenied):
        return JsonResponse({"error": str(error)}, status=403)
    assert isinstance(error, ValidationError)
    status = 409 if getattr(error, "code", None) == originals.NOTHING_TO_SIGN else 400
    return JsonResponse({"error": " ".join(error.messages)}, status=status)


def _signature(request: HttpRequest) -> object:
    """The "signature" of a JSON body; None when the body is not one (refused as no
    signature, after the checks of who asks)."""
    if request.content_type != "application/json":
        return None  # a form post (its body may have been read already)
    try:
        raw = request.body
    except RawPostDataException:
        return None
    if len(raw) > MAX_BODY:
        return None
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # "[[[[…" nests past the limit
        return None
    return body.get("signature") if isinstance(body, dict) else None


class DeviceSignatureView(LoginRequiredMixin, generic.View):
    """What the signer's device must sign (GET), and its signature (POST)."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        user = signed_in_user(request)
        document = document_get_visible(user, pk)
        try:
            data = originals.data_to_sign(document=document, actor=user)
        except (PermissionDenied, ValidationError) as error:
            return _refusal(error)
        return JsonResponse({**data, "service_url": client_signing.service_url()})

    def post(self, request: HttpRequest, pk: int) -> JsonResponse:
        user = signed_in_user(request)
        document = document_get_visible(user, pk)
        try:
            rendition = originals.sign_on_device(
                document=document, actor=user, signature=_signature(request)
            )
        except (PermissionDenied, ValidationError) as error:
            return _refusal(error)
        return JsonResponse(
            {
                "ok": True,
                "message": _("Đã ký số văn bản bằng thiết bị của bạn."),
                "pdf_sha256": rendition.sha256,
                "url": document_url(document),
            }
        )
