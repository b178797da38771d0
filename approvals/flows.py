"""The document workflow, as drawn: draft → sign-off → issue → one receipt per recipient
unit → archive. Routing only: every domain change happens in documents' services."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from documents import services as documents

from .models import DocumentProcess
from .nodes import DynamicSplit, GuardedView


class DocumentFlow(flow.Flow):
    """Every human step is a GuardedView: it has no URL of its own, and is done only through
    approvals.services (document_decide, document_submit, document_issue,
    receipt_acknowledge, receipt_hand_over), which check node, owner and right under the lock.
    """

    process_class = DocumentProcess
    # The blocking form of viewflow's lock.select_for_update_lock: simultaneous
    # acknowledgements wait for each other instead of polling and giving up.
    lock_impl = lock.SelectForUpdateLock(nowait=False)
    process_title = _("Văn bản đi")
    process_description = _("Trình ký, ký duyệt, ban hành và phát hành văn bản")

    start = flow.StartHandle(this.start_process).Annotation(title=_("Trình ký")).Next(this.sign_off)
    sign_off = (
        GuardedView()
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
        GuardedView()
        .Annotation(title=_("Chỉnh sửa và trình lại"))
        .Assign(lambda activation: activation.process.document.drafter)
        .Next(this.sign_off)
    )
    issue = (
        GuardedView()
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
        GuardedView()
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
        from documents.models import Receipt

        receipts = list(
            Receipt.objects.filter(document_id=activation.process.document_id).select_related(
                "assignee"
            )
        )
        # The split's branches share its process object: each branch's Assign reads its
        # receipt's holder here instead of one query per branch.
        activation.process.__dict__["_vanthu_assignees"] = {r.pk: r.assignee for r in receipts}
        return [{"receipt": receipt.pk} for receipt in sorted(receipts, key=lambda r: r.pk)]

    def receipt_receiver(self, activation):
        """The person the receipt was given to (the unit's receiver); none: the whole unit."""
        from documents.models import Receipt

        pk = activation.task.data["receipt"]
        assignees = activation.process.__dict__.get("_vanthu_assignees", {})
        if pk in assignees:
            return assignees[pk]
        return Receipt.objects.select_related("assignee").get(pk=pk).assignee

    def archive_document(self, activation):
        from . import notifications
        from .services import process_document

        document = documents.document_archive(document=process_document(activation.process))
        notifications.archived(document)

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
        """Nobody cancels, undoes or revives a step by hand, the administrator included: a
        document's state and its workflow move together, through the services only."""
        return False
