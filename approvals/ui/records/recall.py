"""Recall screens of the records office (Điều 19; Phụ lục VI 8a–c): the recall form of an
issued document, and a recipient unit's confirmation that it removed its copy."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from approvals import services as workflow
from approvals.ui.documents import DocumentActionView, signed_in_user
from documents.records import recall
from documents.selectors import receipt_get_visible


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do thu hồi"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Phải ghi lý do thu hồi văn bản.")},
        help_text=gettext_lazy(
            "Văn bản bị thu hồi được đóng băng: các đơn vị nhận không xác nhận đã nhận được "
            "nữa và được thông báo để xác nhận thu hồi."
        ),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Phải ghi lý do thu hồi văn bản."))
        return reason


class DocumentRecallView(DocumentActionView):
    """Thu hồi: the signer, or a văn thư on the signer's instruction; 404 when invisible,
    403 when not allowed (a draft, already recalled, someone else), 422 without a reason."""

    form_class = RecallForm
    template_name = "approvals/records/recall_form.html"
    title = gettext_lazy("Thu hồi văn bản")
    button = gettext_lazy("Thu hồi")

    def ensure_allowed(self, document):
        recall.ensure_can_recall(signed_in_user(self.request), document)

    def perform(self, document, form):
        workflow.document_recall(
            document=document,
            actor=signed_in_user(self.request),
            reason=form.cleaned_data["reason"],
        )
        messages.success(self.request, _("Đã thu hồi văn bản."))


class ReceiptConfirmRecallView(LoginRequiredMixin, generic.View):
    """A member of the recipient unit confirms the recall (POST only); 404 for another
    unit's receipt, 403 when the document is not recalled or already confirmed."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:  # another unit's receipt: 404 whatever the method
            self.receipt = receipt_get_visible(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk):
        user = signed_in_user(request)
        receipt = self.receipt
        recall.ensure_can_confirm_recall(user, receipt)
        recall.receipt_confirm_recall(receipt=receipt, actor=user)
        messages.success(
            request,
            _("Đơn vị %(unit)s đã xác nhận thu hồi văn bản.") % {"unit": receipt.unit.name},
        )
        return HttpResponseRedirect(reverse("documents:receipt_detail", args=[receipt.pk]))


urls: list[URLPattern] = [
    path("van-ban/<int:pk>/thu-hoi/", DocumentRecallView.as_view(), name="document_recall"),
    path(
        "phieu-nhan/<int:pk>/xac-nhan-thu-hoi/",
        ReceiptConfirmRecallView.as_view(),
        name="receipt_confirm_recall",
    ),
]
