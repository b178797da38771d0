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

    def get_success_url(self):
        """Back to the document page, where the new state and the timeline show."""
        from django.urls import reverse

        document = self.request.activation.process.document
        return reverse("documents:document_detail", kwargs={"pk": document.pk})

    def get_context_data(self, **kwargs):
        document = self.request.activation.process.document
        context = super().get_context_data(**kwargs)
        context.update(
            document=document,
            recipient_lines=document.recipient_lines.prefetch_related("units"),
            attachments=document.attachments.all(),
            timeline=_timeline(document),
        )
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        return response


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


def _timeline(document):
    # Imported here: timeline reads the flow, and the flow module imports these views.
    from .timeline import document_full_timeline

    return document_full_timeline(document)
