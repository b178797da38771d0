"""Task views for the flow's View nodes. viewflow has locked the process and started the
task before these run; each view validates its form and calls the service core."""

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.views import generic
from viewflow.workflow.flow.views import mixins

from . import forms


class TaskFormView(mixins.TaskSuccessUrlMixin, mixins.TaskViewTemplateNames, generic.FormView):
    template_filename = "task.html"

    def complete(self, form):  # pragma: no cover - abstract
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.complete(form)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
            return self.form_invalid(form)
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["document"] = self.request.activation.process.document
        return context


class SignOffView(TaskFormView):
    form_class = forms.SignOffForm

    def complete(self, form):
        from .services import complete_sign_off

        complete_sign_off(
            activation=self.request.activation,
            actor=self.request.user,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )


class ReviseView(TaskFormView):
    form_class = forms.SubmitForm

    def complete(self, form):
        from .services import complete_revise

        complete_revise(
            activation=self.request.activation,
            actor=self.request.user,
            signer=form.cleaned_data["signer"],
        )


class IssueView(TaskFormView):
    form_class = forms.IssueForm

    def complete(self, form):
        from .services import complete_issue

        complete_issue(activation=self.request.activation, actor=self.request.user)


class AcknowledgeView(TaskFormView):
    form_class = forms.AcknowledgeForm

    def complete(self, form):
        from documents.models import Receipt

        from .services import complete_acknowledge

        receipt = Receipt.objects.get(pk=self.request.activation.task.data["receipt"])
        complete_acknowledge(
            activation=self.request.activation, actor=self.request.user, receipt=receipt
        )
