"""Middleware of the web UI.

Vietnamese by default: the language is the one the person chose (cookie), else
settings.LANGUAGE_CODE, never the browser's Accept-Language (an office PC set up in English
must still show the Vietnamese UI). Malformed input answered 400 or 404, never 500."""

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1  # the widest integer column of any database


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()


class BadInputMiddleware:
    """Malformed input is the client's mistake: 400 or 404, never a database error (500).

    - A NUL character in the path, in a query string or in a form (names, values, file
      names): PostgreSQL refuses it in any text, deep inside some query. Refused here, 400.
    - An integer taken from the URL (<int:pk>, viewflow's <int:process_pk> and <int:task_pk>)
      beyond a 64-bit integer names no row, and SQLite overflows on it: 404 before the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return HttpResponseBadRequest(
                _("Yêu cầu có ký tự không hợp lệ (ký tự NUL)."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not BIGINT_MIN <= value <= BIGINT_MAX:
                raise Http404
        return None


def _has_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return any(
        "\x00" in key or "\x00" in (upload.name or "") for key, upload in request.FILES.items()
    )
