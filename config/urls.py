"""URL configuration."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Application, Site
from viewflow.workflow.flow import FlowAppViewset

from approvals.flows import DocumentFlow

site = Site(
    title="Văn thư",
    viewsets=[
        FlowAppViewset(DocumentFlow, icon="description"),
    ],
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("", site.urls),
]
