"""Receipts of the person's units: the list, the page where the person the receipt was given
to acknowledges it, and the unit head's hand-over to a member."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from documents import confidential, permissions
from documents.people import display_name
from documents.selectors import receipt_get_visible, receipt_list_for_user

from .. import forms as task_forms
from .. import services as workflow
from . import files
from .documents import document_context
from .pagination import CappedPaginator


class ReceiptListView(LoginRequiredMixin, generic.ListView):
    template_name = "approvals/receipt_list.html"
    context_object_name = "receipts"
    paginate_by = 20
    paginator_class = CappedPaginator

    def get_queryset(self):
        return receipt_list_for_user(self.request.user).order_by("status", "-sent_at")


class ReceiptDetailView(LoginRequiredMixin, generic.FormView):
    """A receipt of another unit answers 404; an acknowledged one refuses with 403."""

    template_name = "approvals/receipt_detail.html"
    form_class = task_forms.AcknowledgeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.receipt = receipt_get_visible(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        confidential.record_read(
            self.receipt.document, request.user, confidential.READ_PAGE, page="receipt"
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        if "hand_over_form" not in kwargs and permissions.can_hand_over(user, self.receipt):
            kwargs["hand_over_form"] = task_forms.HandOverForm(unit=self.receipt.unit)
        offered, waiting = files.originals_of(self.receipt.document)
        return super().get_context_data(
            **document_context(user, self.receipt.document),
            receipt=self.receipt,
            signed_original=offered,
            original_pending=waiting,
            # Acknowledged once the issued original exists (documents.originals).
            can_acknowledge=permissions.can_acknowledge(user, self.receipt) and waiting is None,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        permissions.ensure_can_acknowledge(request.user, self.receipt)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        workflow.receipt_acknowledge(receipt=self.receipt, actor=self.request.user)
        messages.success(
            self.request,
            _("Đã xác nhận đơn vị %(unit)s nhận văn bản.") % {"unit": self.receipt.unit.name},
        )
        return HttpResponseRedirect(reverse("documents:receipt_detail", args=[self.receipt.pk]))

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        return response


class ReceiptHandOverView(ReceiptDetailView):
    """The unit head gives the receipt to a member of the unit (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        permissions.ensure_can_hand_over(request.user, self.receipt)
        form = task_forms.HandOverForm(request.POST, unit=self.receipt.unit)
        if form.is_valid():
            try:
                receipt = workflow.receipt_hand_over(
                    receipt=self.receipt, actor=request.user, to=form.cleaned_data["assignee"]
                )
            except ValidationError as error:
                form.add_error("assignee", error.messages)
            else:
                messages.success(
                    request,
                    _("Đã giao cho %(who)s xác nhận văn bản.")
                    % {"who": display_name(receipt.assignee)},
                )
                return HttpResponseRedirect(reverse("documents:receipt_detail", args=[receipt.pk]))
        context = self.get_context_data(form=self.get_form(), hand_over_form=form)
        return self.render_to_response(context, status=422)
