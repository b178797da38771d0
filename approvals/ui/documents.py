"""Document screens: list, detail with timeline, drafting, submission, issuance, downloads.

Thin views: documents.selectors for visibility (404), documents.permissions for actions
(403), the services for every change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from viewflow.views import ListModelView

from documents import confidential, originals, permissions, trail
from documents import services as documents
from documents.dates import vn_short_date
from documents.models import Attachment, Document, Event, Organization
from documents.selectors import document_get_visible, document_list_visible_to

from .. import forms as task_forms
from .. import services as workflow
from ..timeline import document_full_timeline
from . import files
from . import followup as followup_views
from .columns import column
from .drafting import Drafting, supersede_initial
from .forms import DocumentFilter, DocumentForm, RecipientFormSet, recipient_initial
from .pagination import CappedPaginator

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise


def document_url(document: Document) -> str:
    if document.origin == Document.Origin.INCOMING:
        return reverse("records:incoming_detail", kwargs={"pk": document.pk})
    return reverse("documents:document_detail", kwargs={"pk": document.pk})


def signed_in_user(request: HttpRequest) -> User:
    """The person making the request: views behind LoginRequiredMixin run for no one else."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field when it can."""
    if hasattr(error, "message_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def document_context(user, document: Document) -> dict:
    """What every page showing a document needs: content, files, recipients, receipts."""
    return {
        "document": document,
        "recipient_lines": document.recipient_lines.prefetch_related("units"),
        "attachments": document.attachments.all(),
        "cited": cited_documents(user, document),
        "receipts": document.receipts.select_related("unit", "acknowledged_by"),
    }


def cited_documents(user, document: Document) -> list[tuple[Document, bool]]:
    """The documents this one cites, each with whether the person may open it."""
    cited = list(document.cites.select_related("document_type").order_by("issued_on", "pk"))
    visible = set(
        document_list_visible_to(user)
        .filter(pk__in=[c.pk for c in cited])
        .values_list("pk", flat=True)
    )
    return [(c, c.pk in visible) for c in cited]


class DocumentListView(LoginRequiredMixin, ListModelView):
    """Danh sách văn bản: what the person may see, newest first, 20 a page.

    Its cost in queries, whatever the number of documents (tests/test_query_counts.py pins
    it): the paginator's COUNT over the visible documents (no join: Django drops the
    select_related for a count), one page query (the row's type and drafting unit joined, the
    body left out), and one query each for the filter's two option lists, document types and
    the internal units (tens of rows, whatever the number of documents); a filtered page adds
    one query per chosen type or unit (its value checked). The year is typed, not picked, so
    no query lists the years. Besides: the session, the person with their groups, unit and
    permissions (once per request, documents.permissions caches them on the user), and the
    menu's counters. Rows cost no query: every column reads the row and its joins.
    """

    model = Document
    title = gettext_lazy("Danh sách văn bản")
    columns = (
        "notation_or_draft",
        "subject_link",
        "document_type",
        "status",
        "urgency",
        "drafting_unit",
        "issued_on_short",
    )
    filterset_class = DocumentFilter
    search_fields = ("subject", "notation")
    ordering = ("-created_at", "-pk")
    paginate_by = 20
    paginator_class = CappedPaginator

    def has_view_permission(self, user, obj=None):
        return user.is_authenticated and user.is_active

    @property
    def queryset(self):
        # The base of viewflow's chain (filters, search, ordering, paging): what the person
        # may see. Overriding get_queryset instead would skip the filters and the search.
        # Only what the columns show is joined (not the organization), and the body, the one
        # long column, is not read: a page costs the same whatever the documents hold.
        return (
            document_list_visible_to(self.request.user)
            .select_related(None)
            .select_related("document_type", "drafting_unit")
            .defer("body")
        )

    @column(gettext_lazy("Số, ký hiệu"))
    def notation_or_draft(self, document):
        return document.notation or _("Dự thảo")

    @column(gettext_lazy("Ngày ban hành"), orderby="issued_on")
    def issued_on_short(self, document):
        """'01/4/2020', as a citation writes it: the long form does not fit a column."""
        return vn_short_date(document.issued_on) if document.issued_on else ""

    @column(gettext_lazy("Trích yếu"))
    def subject_link(self, document):
        return format_html('<a href="{}">{}</a>', document_url(document), document.subject)


class DocumentDetailView(LoginRequiredMixin, generic.TemplateView):
    template_name = "approvals/document_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        document = document_get_visible(user, kwargs["pk"])
        confidential.record_read(document, signed_in_user(self.request), confidential.READ_PAGE)
        context = document_context(user, document)
        # The person's units' pending receipts, out of the receipts the page lists anyway.
        receipts = context["receipts"] = list(context["receipts"])
        units = set(permissions.unit_ids(user))
        own_receipts = [r for r in receipts if r.unit_id in units and r.status == "pending"]
        offered, waiting = files.originals_of(document)
        if waiting is not None and waiting.kind == originals.ISSUED:
            own_receipts = []  # acknowledged once the issued original is made
        if document.status == Document.Status.RECALLED:
            own_receipts = []  # frozen (Điều 19): confirmed as recalled instead
        return super().get_context_data(
            **context,
            timeline=document_full_timeline(document),
            signed_original=offered,
            original_pending=waiting,
            can_request_again=waiting is not None
            and waiting.failed
            and originals.can_request_again(user, document, waiting.kind),
            can_edit=permissions.can_edit(user, document),
            can_issue=permissions.can_issue(user, document) and waiting is None,
            can_sign_off=permissions.can_sign_off(user, document),
            pending_receipts=own_receipts,
            decline=_decline_of(document),
            **followup_views.plan_context(user, document),
            **kwargs,
        )


class DocumentOriginalRetryView(LoginRequiredMixin, generic.View):
    """Ask again for a signed original whose making failed (POST only): its signer or a văn
    thư (the signed-off one), a văn thư (the issued one). 404 for a document one may not
    see, 403 when there is nothing to ask for or one may not."""

    http_method_names = ["post"]

    def post(self, request, pk):
        document = document_get_visible(request.user, pk)
        originals.request_again(document=document, actor=request.user)
        messages.success(
            request, _("Đã yêu cầu tạo lại bản gốc có chữ ký số; trang sẽ tự cập nhật khi xong.")
        )
        return HttpResponseRedirect(document_url(document))


def _decline_of(document: Document) -> Event | None:
    """Why a returned or rejected document is where it is: the signer's comment."""
    if document.status == Document.Status.RETURNED:
        kind = Event.Kind.RETURNED
    elif document.status == Document.Status.REJECTED:
        kind = Event.Kind.REJECTED
    else:
        return None
    return document.events.filter(kind=kind).select_related("actor").order_by("-pk").first()


class DocumentFormMixin(LoginRequiredMixin):
    template_name: str | None = "approvals/document_form.html"  # typed as in TemplateView
    request: HttpRequest

    def render(self, form, formset, status=200, **extra):
        return self.response_class(
            request=self.request,
            template=[self.template_name],
            context=self.get_context_data(form=form, formset=formset, **extra),
            using=self.template_engine,
            status=status,
        )

    def save_or_render(
        self, form, formset, write: Callable[[], Document], *, done, drafting: Drafting, **extra
    ):
        """Write the document and its new attachment in one transaction, or show why not
        (or, asked for suggestions, show the form again with them: nothing is saved)."""
        extra["drafting"] = drafting
        if drafting.suggesting:
            return self.render(form, formset, **extra)
        if form.is_valid() and formset.is_valid() and drafting.is_valid():
            try:
                with transaction.atomic():
                    document = write()
                    upload = form.cleaned_data["attachment"]
                    if upload:
                        documents.attachment_add(
                            document=document, actor=signed_in_user(self.request), upload=upload
                        )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(self.request, done)
                return HttpResponseRedirect(document_url(document))
        return self.render(form, formset, status=422, **extra)


class DocumentCreateView(DocumentFormMixin, generic.TemplateView):
    """Soạn văn bản: a drafter starts a draft of their unit."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            permissions.ensure_can_create(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        """A blank draft; or one started from a plan: a unit's report on one assignment
        (``?nhiem-vu=<pk>``), Văn phòng's compiled report or commendation proposal
        (``?tong-hop=<plan pk>&loai=bc|ttr``)."""
        user = signed_in_user(request)
        drafting = Drafting.for_new(user, request.GET)
        draft = drafting.draft
        initial, recipients = {}, []
        if draft is not None:
            initial = {
                "document_type": draft.document_type,
                "subject": draft.subject,
                "body": draft.body,
                "cites": draft.cites,
            }
            recipients = [{"text": text, "units": units} for text, units in draft.recipients]
        elif (cited := request.GET.get("cites", "")).isascii() and cited.isdigit():
            # An answer (to an incoming document, "Soạn văn bản trả lời"): it cites it, if
            # the person sees it (the form's choices are what they see).
            initial = {"cites": [int(cited[:18])]}
        else:  # a correction or a replacement of an issued document (?dinh-chinh=, ?thay-the=)
            initial = supersede_initial(user, request.GET)
        return self.render(
            DocumentForm(user=user, initial=initial),
            RecipientFormSet(prefix="recipients", initial=recipients),
            drafting=drafting,
        )

    def post(self, request, *args, **kwargs):
        user = signed_in_user(request)
        drafting = Drafting.for_new(user, request.GET, data=request.POST)
        form = DocumentForm(request.POST, request.FILES, user=user)
        formset = RecipientFormSet(request.POST, prefix="recipients")
        if drafting.suggesting:
            drafting.suggest(form)
        return self.save_or_render(
            form,
            formset,
            lambda: documents.document_create(
                actor=user,
                organization=_organization_of(user),
                recipients=formset.specs(),
                assignments=drafting.specs(),
                answers=drafting.answers,
                **form.content(),
            ),
            done=_("Đã lưu dự thảo."),
            drafting=drafting,
        )


def _organization_of(user) -> Organization | None:
    """The issuing body of the drafter's unit; None when the account has no unit there."""
    profile = getattr(user, "profile", None)
    return profile.unit.organization if profile else None


class DocumentEditView(DocumentFormMixin, generic.TemplateView):
    """The drafter edits their draft or returned document."""

    def get_document(self) -> Document:
        user = signed_in_user(self.request)
        document = document_get_visible(user, self.kwargs["pk"])
        permissions.ensure_can_edit(user, document)
        return document

    def get(self, request, *args, **kwargs):
        document = self.get_document()
        confidential.record_read(
            document, signed_in_user(request), confidential.READ_PAGE, page="edit"
        )
        form = DocumentForm(
            user=request.user,
            document=document,
            initial={
                "document_type": document.document_type,
                "subject": document.subject,
                "body": document.body,
                "urgency": document.urgency,
                "confidentiality": document.confidentiality,
                "cites": list(document.cites.all()),
            },
        )
        formset = RecipientFormSet(prefix="recipients", initial=recipient_initial(document))
        drafting = Drafting.for_document(request.user, document)
        return self.render(form, formset, document=document, drafting=drafting)

    def post(self, request, *args, **kwargs):
        document = self.get_document()
        form = DocumentForm(request.POST, request.FILES, user=request.user, document=document)
        formset = RecipientFormSet(
            request.POST, prefix="recipients", initial=recipient_initial(document)
        )
        drafting = Drafting.for_document(request.user, document, data=request.POST)
        if drafting.suggesting:
            drafting.suggest(form)
        return self.save_or_render(
            form,
            formset,
            lambda: documents.document_update(
                document=document,
                actor=request.user,
                recipients=formset.specs() if formset.has_changed() else None,
                assignments=drafting.specs() if drafting.has_changed() else None,
                **form.content(),
            ),
            done=_("Đã lưu thay đổi."),
            document=document,
            drafting=drafting,
        )


class DocumentActionView(LoginRequiredMixin, generic.FormView):
    """A form about one visible document, refused with 403 when the person may not act."""

    template_name = "approvals/document_action.html"
    title: StrOrPromise = ""
    button: StrOrPromise = ""

    def ensure_allowed(self, document: Document) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def perform(self, document: Document, form) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.document = document_get_visible(request.user, kwargs["pk"])
            self.ensure_allowed(self.document)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # The action's page shows the document's content: a read like its own page.
        page = request.resolver_match.url_name if request.resolver_match else ""
        confidential.record_read(
            self.document, signed_in_user(request), confidential.READ_PAGE, page=page
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **document_context(self.request.user, self.document),
            title=self.title,
            button=self.button,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            self.perform(self.document, form)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(document_url(self.document))

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        return response


class DocumentSubmitView(DocumentActionView):
    """Trình ký: the drafter sends the draft, or the revised document, to a leader."""

    form_class = task_forms.SubmitForm
    title = gettext_lazy("Trình ký văn bản")
    button = gettext_lazy("Trình ký")

    def ensure_allowed(self, document):
        permissions.ensure_can_submit(self.request.user, document)

    def perform(self, document, form):
        workflow.document_submit(
            document=document, actor=self.request.user, signer=form.cleaned_data["signer"]
        )
        messages.success(self.request, _("Đã trình ký văn bản."))


class DocumentSignOffView(DocumentActionView):
    """Ký duyệt: the leader the draft was submitted to reads it, with the PDF they will sign,
    and approves it, returns it with a comment or rejects it with a reason."""

    form_class = task_forms.SignOffForm
    template_name = "approvals/document_sign_off.html"
    title = gettext_lazy("Ký duyệt văn bản")
    button = gettext_lazy("Thực hiện")

    def ensure_allowed(self, document):
        permissions.ensure_can_sign_off(self.request.user, document)

    def get_context_data(self, **kwargs):
        return super().get_context_data(timeline=document_full_timeline(self.document), **kwargs)

    def perform(self, document, form):
        decision = form.cleaned_data["decision"]
        workflow.document_decide(
            document=document,
            actor=self.request.user,
            decision=decision,
            comment=form.cleaned_data["comment"],
        )
        messages.success(self.request, SIGN_OFF_DONE[decision])


SIGN_OFF_DONE = {
    "approve": gettext_lazy("Đã ký duyệt văn bản."),
    "return": gettext_lazy("Đã trả lại văn bản để chỉnh sửa."),
    "reject": gettext_lazy("Đã từ chối duyệt văn bản."),
}


class DocumentIssueView(DocumentActionView):
    """Cho số, ban hành: the văn thư numbers, dates and distributes a signed document."""

    form_class = task_forms.IssueForm
    title = gettext_lazy("Cho số, ban hành văn bản")
    button = gettext_lazy("Cho số, ban hành")

    def ensure_allowed(self, document):
        permissions.ensure_can_issue(self.request.user, document)

    def perform(self, document, form):
        issued = workflow.document_issue(document=document, actor=self.request.user)
        messages.success(
            self.request, _("Đã ban hành văn bản số %(notation)s.") % {"notation": issued.notation}
        )


class AttachmentDownloadView(LoginRequiredMixin, generic.View):
    """A file of a document the person may see; 404 for anyone else. Always a download, with
    the type detected from its content at upload, never sniffed by the browser."""

    def get(self, request, pk):
        attachment = get_object_or_404(Attachment, pk=pk)
        document = document_get_visible(request.user, attachment.document_id)
        confidential.record_read(
            document, signed_in_user(request), confidential.READ_ATTACHMENT, attachment=pk
        )
        try:
            trail.ensure_attachment_intact(attachment)
        except trail.OriginalAltered:
            # Never served as if it were fine; the trail has recorded the finding.
            return render(
                request,
                "approvals/original_altered.html",
                {"document": document, "file_label": attachment.original_name},
                status=409,
            )
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
