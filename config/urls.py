"""URL configuration.

The web UI is viewflow's Site: our DocumentsApp (work summary, documents, receipts,
notifications) and the DocumentFlow app, scoped to the person (approvals.ui.viewsets).
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.i18n import JavaScriptCatalog, set_language
from viewflow.urls import Site

from approvals.flows import DocumentFlow
from approvals.ui.accounts import AccountViewset
from approvals.ui.records import RecordsApp
from approvals.ui.viewsets import DocumentsApp, ScopedFlowAppViewset
from config.health import healthz

site = Site(
    title="Văn thư",
    viewsets=[
        DocumentsApp(),
        RecordsApp(),
        ScopedFlowAppViewset(DocumentFlow, icon="assignment"),
    ],
)

urlpatterns = [
    path("healthz", healthz, name="healthz"),  # JSON for probes, no login (config.health)
    path("admin/", admin.site.urls),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path(
        "jsi18n/",
        login_not_required(JavaScriptCatalog.as_view()),
        name="javascript-catalog",
    ),
    path("accounts/", AccountViewset(site=site, with_profile_view=False).urls),
    path("", site.urls),
]
