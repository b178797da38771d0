"""The records office's screens (issue 17): incoming documents, the registers, case files,
recall and correction, search, and printed copies. Each area is a module of this package that
lists its URL patterns in ``urls``; RecordsApp mounts them all under one menu."""

from __future__ import annotations

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from viewflow.urls import Application

from . import casefiles, incoming, printing, recall, registers, search


class RecordsApp(Application):
    """Văn thư cơ quan: the half of the day that arrives, and what the office keeps."""

    app_name = "records"
    title = _("Văn thư cơ quan")
    icon = "inventory_2"
    menu_template_name = "approvals/records/menu.html"
    index_path = path(
        "", RedirectView.as_view(url=reverse_lazy("records:search")), name="index"
    )
    urlpatterns = [
        *incoming.urls,
        *registers.urls,
        *casefiles.urls,
        *recall.urls,
        *search.urls,
        *printing.urls,
    ]

    def has_view_permission(self, user, obj=None):
        return user.is_authenticated and user.is_active
