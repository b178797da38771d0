"""printing screens of the records office (approvals.ui.records)."""

from django.urls import URLPattern

urls: list[URLPattern] = []
