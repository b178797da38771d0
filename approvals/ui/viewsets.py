"""The viewflow shell, scoped to the person (VIEWFLOW.md traps 4 and 5).

The stock FlowAppViewset lists every process to anyone and scans every guardian grant of the
user on every page. Here each list, the dashboard, the chart and the menu counters read
approvals.selectors, which see a process only when its document is visible.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from viewflow.urls import Application
from viewflow.utils import viewprop
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.flow.views.mixins import StoreRequestPathMixin

from .. import selectors
from . import dashboard, documents, files, filters, followup, home, notifications, receipts
from .client_signing import DeviceSignatureView
from .columns import column
from .pagination import CappedPaginator

# The task lists find a task by its document's trích yếu or số ký hiệu (the search box),
# instead of viewflow's <select> of every process (filters.py).
TASK_SEARCH = (
    "process__documentprocess__document__subject",
    "process__documentprocess__document__notation",
)


class NoPinnedPathMixin:
    """viewflow's lists store their path in the session on every GET (StoreRequestPathMixin)
    for a task page to send the person back to after the task; no task page is mounted here,
    so nothing reads it, and it cost a session write (three queries) on each page view."""

    def dispatch(self, request, *args, **kwargs):
        # The rest of viewflow's chain (login, has_view_permission), without the pin.
        return super(StoreRequestPathMixin, self).dispatch(request, *args, **kwargs)


class DocumentColumnMixin:
    """Task lists show the document each task is about, read in the same query; a task links
    to its document's page, where the person's action is (the nodes have no task pages)."""

    @column("#")
    def task_id(self, task):
        document = task.process.documentprocess.document
        return format_html(
            '<a href="{}">#{}/{}</a>', documents.document_url(document), task.process_id, task.pk
        )

    @column(_("Văn bản"))
    def document(self, task):
        document = task.process.documentprocess.document
        url = documents.document_url(document)
        head = document.notation or document.document_type.name
        return format_html('<a href="{}">{} — {}</a>', url, head, document.subject)

    @column(_("Công việc"))
    def task_title(self, task):
        return task.flow_task.task_title


class TaskList(NoPinnedPathMixin, DocumentColumnMixin):
    """What the task lists share: the document column, the search by trích yếu or số ký
    hiệu, counts capped (pagination.py), and their rows from one selector (``tasks``)."""

    paginator_class = CappedPaginator
    columns: tuple[str, ...] = ("task_id", "task_title", "document", "created")
    filterset_class = filters.PersonTaskFilter
    search_fields = TASK_SEARCH
    request: HttpRequest

    def tasks(self, user):
        raise NotImplementedError

    @viewprop
    def queryset(self):
        return self.tasks(self.request.user)


class InboxView(TaskList, flow_views.FlowInboxListView):
    title = _("Việc cần xử lý")
    tasks = staticmethod(selectors.task_inbox)


class QueueView(TaskList, flow_views.FlowQueueListView):
    title = _("Việc chờ nhận")
    tasks = staticmethod(selectors.task_queue)


class ArchiveView(TaskList, flow_views.FlowArchiveListView):
    title = _("Việc đã xử lý")
    columns = ("task_id", "task_title", "document", "created", "finished")
    filterset_class = filters.PersonArchiveFilter
    tasks = staticmethod(selectors.task_archive)


class TaskListView(TaskList, flow_views.DashboardTaskListView):
    columns = ("task_id", "task_title", "document", "created", "owner")
    filterset_class = filters.TaskListFilter

    @staticmethod
    def tasks(user):
        return selectors.task_list_visible_to(user).order_by("-created")


class ProcessListView(NoPinnedPathMixin, flow_views.DashboardProcessListView):
    paginator_class = CappedPaginator
    columns = ("process_id", "document", "created", "finished", "status")
    filterset_class = filters.ProcessListFilter
    search_fields = ("document__subject", "document__notation")

    @column("#")
    def process_id(self, process):
        url = self.request.resolver_match.flow_viewset.reverse("process_detail", args=[process.pk])
        return format_html('<a href="{}">#{}</a>', url, process.pk)

    @column(_("Văn bản"))
    def document(self, process):
        document = process.document
        head = document.notation or document.document_type.name
        return format_html(
            '<a href="{}">{} — {}</a>', documents.document_url(document), head, document.subject
        )

    @viewprop
    def queryset(self):
        return selectors.process_list_visible_to(self.request.user).order_by("-created")

    def get_queryset(self):
        """viewflow's chain (filters, search, ordering) without DashboardProcessListView's
        count of active tasks per process: no column shows it, and its GROUP BY over the
        tasks made the page query and the paginator's COUNT join every task of every row."""
        return super(flow_views.DashboardProcessListView, self).get_queryset()


class ProcessDetailView(RedirectView):
    """The process is its document: its page has the state, the actions and the timeline.
    viewflow's own process page showed "New" mid-way and offered a cancel button."""

    viewset = None
    flow_class = None

    def get_redirect_url(self, *args, **kwargs):
        visible = selectors.process_list_visible_to(self.request.user)
        process = visible.filter(pk=kwargs["process_pk"]).first()
        if process is None:
            raise Http404(_("Không tìm thấy quy trình."))
        return documents.document_url(process.document)


class ChartView(flow_views.FlowChartView):
    def get(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        if (
            process_pk is not None
            and not selectors.process_list_visible_to(request.user).filter(pk=process_pk).exists()
        ):
            raise Http404(_("Không tìm thấy quy trình."))
        return super().get(request, *args, **kwargs)


class DashboardView(RedirectView):
    """The kanban of every process is replaced by the person's own inbox."""

    viewset = None
    flow_class = None

    def get_redirect_url(self, *args, **kwargs):
        return self.viewset.reverse("inbox")


class ScopedFlowAppViewset(FlowAppViewset):
    inbox_view_class = InboxView
    queue_view_class = QueueView
    archive_view_class = ArchiveView
    task_list_view_class = TaskListView
    process_list_view_class = ProcessListView
    process_detail_view_class = ProcessDetailView
    chart_view_class = ChartView
    dashboard_view_class = DashboardView
    # Bulk assign and unassign, and cancelling a process: doors around the services (trap 13).
    tasks_assign_path = None
    tasks_unassign_path = None
    process_cancel_path = None

    def _get_urls(self):
        """Only the viewset's own read-only pages: the flow's node URLs (task pages, assign,
        unassign, execute, cancel, undo, revive, for every node) are not mounted at all."""
        patterns = super(FlowAppViewset, self)._get_urls()
        self._flow_class.parent = self
        self._flow_class.app_name = None
        return patterns

    def get_context_data(self, request):
        """Menu counters from the scoped selectors, not Task.objects.user_queue."""
        user = request.user
        return {
            "user_inbox": selectors.task_inbox(user),
            "user_queue": selectors.task_queue(user),
        }


class DocumentsApp(Application):
    """Our own screens, where viewflow has none: work summary, documents, receipts."""

    app_name = "documents"
    title = _("Văn bản")
    icon = "description"
    menu_template_name = "approvals/documents_menu.html"

    index_path = path("", home.HomeView.as_view(), name="index")
    document_list_path = path(
        "van-ban/", documents.DocumentListView.as_view(), name="document_list"
    )
    document_create_path = path(
        "van-ban/soan-thao/", documents.DocumentCreateView.as_view(), name="document_create"
    )
    document_detail_path = path(
        "van-ban/<int:pk>/", documents.DocumentDetailView.as_view(), name="document_detail"
    )
    document_edit_path = path(
        "van-ban/<int:pk>/sua/", documents.DocumentEditView.as_view(), name="document_edit"
    )
    document_submit_path = path(
        "van-ban/<int:pk>/trinh-ky/", documents.DocumentSubmitView.as_view(), name="document_submit"
    )
    document_sign_off_path = path(
        "van-ban/<int:pk>/ky-duyet/",
        documents.DocumentSignOffView.as_view(),
        name="document_sign_off",
    )
    document_issue_path = path(
        "van-ban/<int:pk>/ban-hanh/", documents.DocumentIssueView.as_view(), name="document_issue"
    )
    document_original_retry_path = path(
        "van-ban/<int:pk>/ban-goc/tao-lai/",
        documents.DocumentOriginalRetryView.as_view(),
        name="document_original_retry",
    )
    document_pdf_path = path(
        "van-ban/<int:pk>/pdf/", files.DocumentPdfView.as_view(), name="document_pdf"
    )
    document_docx_path = path(
        "van-ban/<int:pk>/docx/", files.DocumentDocxView.as_view(), name="document_docx"
    )
    document_device_signature_path = path(
        "van-ban/<int:pk>/ky-so-thiet-bi/",
        DeviceSignatureView.as_view(),
        name="document_device_signature",
    )
    verify_path = path(
        "kiem-tra-chu-ky/", files.SignatureVerifyView.as_view(), name="signature_verify"
    )
    attachment_path = path(
        "tep-dinh-kem/<int:pk>/",
        documents.AttachmentDownloadView.as_view(),
        name="attachment_download",
    )
    receipt_list_path = path("phieu-nhan/", receipts.ReceiptListView.as_view(), name="receipt_list")
    receipt_detail_path = path(
        "phieu-nhan/<int:pk>/", receipts.ReceiptDetailView.as_view(), name="receipt_detail"
    )
    receipt_hand_over_path = path(
        "phieu-nhan/<int:pk>/giao/",
        receipts.ReceiptHandOverView.as_view(),
        name="receipt_hand_over",
    )
    notification_list_path = path(
        "thong-bao/", notifications.NotificationListView.as_view(), name="notification_list"
    )
    work_list_path = path(
        "viec-cua-toi/<slug:section>/", home.WorkListView.as_view(), name="work_list"
    )
    # The follow-up of what plans assign (documents.followup).
    followup_dashboard_path = path(
        "theo-doi/", dashboard.FollowUpDashboardView.as_view(), name="followup_dashboard"
    )
    followup_xlsx_path = path(
        "theo-doi/excel/", dashboard.FollowUpXlsxView.as_view(), name="followup_xlsx"
    )
    followup_print_path = path(
        "theo-doi/ban-in/", dashboard.FollowUpPrintView.as_view(), name="followup_print"
    )
    assignment_detail_path = path(
        "theo-doi/nhiem-vu/<int:pk>/",
        followup.AssignmentDetailView.as_view(),
        name="assignment_detail",
    )
    assignment_review_path = path(
        "theo-doi/nhiem-vu/<int:pk>/xem-xet/",
        followup.AssignmentReviewView.as_view(),
        name="assignment_review",
    )

    def has_view_permission(self, user, obj=None):
        return user.is_authenticated and user.is_active

    def get_context_data(self, request):
        return {
            # The same count as the work summary: the văn thư's documents to issue and a
            # unit's receipts are not in viewflow's inbox, but they are the person's work.
            # Counted by COUNT queries, never by loading the lists.
            "work_count": selectors.work_count_for_request(request),
            "unread_notifications": selectors.notification_unread_count(request.user),
        }
