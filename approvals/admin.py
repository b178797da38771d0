"""viewflow registers its Process and Task models in the admin, with change forms, inlines
and cancel actions: a door around the workflow services. They leave the admin, and so do
notifications (they quote documents): the administrator manages people, not documents."""

from django.contrib import admin
from viewflow.workflow.models import Process, Task

admin.site.unregister(Process)
admin.site.unregister(Task)
