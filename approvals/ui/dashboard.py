"""The follow-up dashboard ("Theo dõi thực hiện"): placeholder, being written."""

from django.http import Http404
from django.views import generic


class FollowUpDashboardView(generic.View):
    def get(self, request, *args, **kwargs):
        raise Http404


class FollowUpXlsxView(FollowUpDashboardView):
    pass


class FollowUpPrintView(FollowUpDashboardView):
    pass
