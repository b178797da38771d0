"""viewflow's Process and Task rows are part of the audit trail: read-only in the admin."""

from django.contrib import admin
from viewflow.workflow.admin import ProcessAdmin, TaskAdmin
from viewflow.workflow.models import Process, Task

from documents.admin import ReadOnlyAdminMixin

from .models import Notification

admin.site.unregister(Process)
admin.site.unregister(Task)


@admin.register(Process)
class ReadOnlyProcessAdmin(ReadOnlyAdminMixin, ProcessAdmin):
    pass


@admin.register(Task)
class ReadOnlyTaskAdmin(ReadOnlyAdminMixin, TaskAdmin):
    pass


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "message", "read_at"]
    list_filter = ["kind"]
