"""Assignment pages: placeholder, being written."""

from django.http import Http404
from django.views import generic


class AssignmentDetailView(generic.View):
    def get(self, request, *args, **kwargs):
        raise Http404


class AssignmentReviewView(AssignmentDetailView):
    pass
