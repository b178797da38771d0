"""The document workflow, as drawn: draft → sign-off → issue → one receipt per recipient
unit → archive. Routing only: every domain change happens in documents' services."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from documents import services as documents

from . import views
from .models import DocumentProcess
from .nodes import DynamicSplit


class DocumentFlow(flow.Flow):
    process_class = DocumentProcess
    # The blocking form of viewflow's lock.select_for_update_lock: simultaneous
    # acknowledgements wait for each other instead of polling and giving up.
    lock_impl = lock.SelectForUpdateLock(nowait=False)
    process_title = _("Văn bản đi")
    process_description = _("Trình ký, ký duyệt, ban hành và phát hành văn bản")

    start = (
        flow.StartHandle(this.start_process)
        .Annotation(title=_("Trình ký"))
        .Next(this.sign_off)
    )
    sign_off = (
        flow.View(views.SignOffView.as_view())
        .Annotation(title=_("Ký duyệt"))
        .Assign(lambda activation: activation.process.document.signer)
        .Next(this.route)
    )
    route = (
        flow.Switch()
        .Annotation(title=_("Kết quả ký duyệt"))
        .Case(this.issue, lambda a: a.process.decision == DocumentProcess.Decision.APPROVE)
        .Case(this.revise, lambda a: a.process.decision == DocumentProcess.Decision.RETURN)
        .Default(this.rejected)
    )
    revise = (
        flow.View(views.ReviseView.as_view())
        .Annotation(title=_("Chỉnh sửa và trình lại"))
        .Assign(lambda activation: activation.process.document.drafter)
        .Next(this.sign_off)
    )
    issue = (
        flow.View(views.IssueView.as_view())
        .Annotation(title=_("Cho số, ban hành"))
        .Permission("documents.issue_document")
        .Next(this.distribute)
    )
    distribute = (
        DynamicSplit()
        .Annotation(title=_("Phát hành đến nơi nhận"))
        .Next(this.acknowledge, data_source=this.receipt_items)
    )
    acknowledge = (
        flow.View(views.AcknowledgeView.as_view())
        .Annotation(title=_("Xác nhận đã nhận văn bản"))
        .Assign(this.receipt_receiver)
        .Next(this.join_receipts)
    )
    join_receipts = flow.Join().Annotation(title=_("Mọi nơi nhận đã xác nhận")).Next(this.archive)
    archive = flow.Function(this.archive_document).Annotation(title=_("Lưu trữ")).Next(this.end)
    rejected = flow.End().Annotation(title=_("Không duyệt"))
    end = flow.End().Annotation(title=_("Hoàn thành"))

    def start_process(self, activation, document):
        activation.process.document = document
        return activation.process

    def receipt_items(self, activation):
        receipts = activation.process.document.receipts.order_by("pk")
        return [{"receipt": pk} for pk in receipts.values_list("pk", flat=True)]

    def receipt_receiver(self, activation):
        from documents.models import Receipt

        receipt = Receipt.objects.select_related("unit").get(pk=activation.task.data["receipt"])
        return receipt.unit.receiver

    def archive_document(self, activation):
        documents.document_archive(document=activation.process.document)

    # --- who sees what in viewflow's screens (VIEWFLOW.md, trap 4) ---------------------

    def has_view_permission(self, user, obj=None):
        """Any signed-in person may open the app; a process only if its document is visible."""
        if not (user.is_authenticated and user.is_active):
            return False
        if obj is None:
            return True
        from .selectors import process_is_visible

        return process_is_visible(user, obj)

    def has_manage_permission(self, user, obj=None):
        """Cancel, undo and revive stay with administrators."""
        return user.is_authenticated and user.is_active and user.is_superuser
