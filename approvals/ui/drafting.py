"""The drafting form's follow-up part: the tasks a draft assigns (a formset), the suggestions
read from its body (shown as rows to check, saved only when the drafter saves), and what a new
draft answers or compiles: a unit's report on one assignment (``?nhiem-vu=<pk>``), Văn
phòng's compiled report or commendation proposal (``?tong-hop=<plan pk>&loai=bc|ttr``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from documents import permissions
from documents.followup import compile as drafts
from documents.followup import selectors as followup_selectors
from documents.followup import services as followup
from documents.followup.suggestions import suggest
from documents.models import Assignment, Document
from documents.selectors import document_get_visible

from .forms import AssignmentFormSet, assignable_units, assignment_initial, suggestion_initial

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import QueryDict

    from documents.followup.services import AssignmentSpec

PREFIX = "assignments"
KINDS = {"bc": drafts.compiled_report, "ttr": drafts.commendation}
# A correction (``?dinh-chinh=<pk>``) or a replacement (``?thay-the=<pk>``) of an issued
# document, started from its page (documents.records.recall).
SUPERSEDE = {"dinh-chinh": "corrects", "thay-the": "replaces"}


def supersede_initial(user: User, query: QueryDict) -> dict:
    """The new draft's form, prefilled to correct (a Công văn) or replace (the same type) the
    issued document named in the query, if the person sees it; 404 otherwise."""
    from documents.models import DocumentType

    for param, kind in SUPERSEDE.items():
        if param not in query:
            continue
        old = document_get_visible(user, _pk(query.get(param)))
        if kind == "corrects":
            document_type = DocumentType.objects.filter(name="Công văn", abbreviation="").first()
            # The trích yếu printed on the document: in the office's language, not the
            # drafter's interface language.
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Đính chính %(notation)s") % {"notation": old.notation}
        else:
            document_type, subject = old.document_type, old.subject
        return {
            "supersede_kind": kind,
            "supersedes": old.pk,
            "cites": [old.pk],
            "document_type": document_type,
            "subject": subject,
        }
    return {}


def _pk(value: str | None) -> int:
    if value is None or not value.isdigit() or len(value) > 12:
        raise Http404(_("Không tìm thấy."))
    return int(value)


class Drafting:
    def __init__(
        self,
        user: User,
        *,
        data: QueryDict | None = None,
        initial: list[dict] | None = None,
        answers: Assignment | None = None,
        draft: drafts.Draft | None = None,
        document: Document | None = None,
    ):
        self.user = user
        self.units = assignable_units(permissions.organization_of(user))
        self.data = data
        self.suggesting = data is not None and "suggest" in data
        self.suggested: int | None = None
        self.answers = answers
        self.draft = draft
        self.hint = 0
        # A form without the assignments part (an older page, a script) changes none.
        self.submitted = data is not None and f"{PREFIX}-TOTAL_FORMS" in data
        self.formset = AssignmentFormSet(
            data if self.submitted and not self.suggesting else None,
            prefix=PREFIX,
            units=self.units,
            initial=initial,
        )
        if document is not None and data is None and not initial and document.body:
            # A saved body with "Phân công thực hiện" lines and no task yet: say so.
            self.hint = len(suggest(document.body, self.units, year=timezone.localdate().year))

    @classmethod
    def for_new(cls, user: User, query: QueryDict, *, data: QueryDict | None = None) -> Drafting:
        answers = draft = None
        if "nhiem-vu" in query:
            answers = (
                followup_selectors.visible_assignments(user)
                .select_related("plan__document_type", "plan__organization", "lead_unit")
                .select_related("plan__drafting_unit")
                .filter(pk=_pk(query.get("nhiem-vu")))
                .first()
            )
            if answers is None:
                raise Http404(_("Không tìm thấy nhiệm vụ."))
            followup.ensure_can_report(user, answers)
            draft = drafts.unit_report(answers) if data is None else None
        elif "tong-hop" in query:
            plan = document_get_visible(user, _pk(query.get("tong-hop")))
            build = KINDS.get(query.get("loai", "bc"))
            if build is None:
                raise Http404(_("Không tìm thấy."))
            if not followup.can_compile(user, plan):
                raise PermissionDenied(
                    _("Chỉ chuyên viên của đơn vị theo dõi kế hoạch được lập báo cáo tổng hợp.")
                )
            draft = build(plan) if data is None else None
        return cls(user, data=data, answers=answers, draft=draft)

    @classmethod
    def for_document(
        cls, user: User, document: Document, *, data: QueryDict | None = None
    ) -> Drafting:
        return cls(user, data=data, initial=assignment_initial(document), document=document)

    def suggest(self, form) -> None:
        """Append the body's suggestions not already among the rows, unsaved, to check."""
        assert self.data is not None
        rows = []
        bound = AssignmentFormSet(self.data, prefix=PREFIX, units=self.units)
        for row in bound.forms if self.submitted else []:
            if row.is_valid() and (row.cleaned_data.get("task") or "").strip():
                data = dict(row.cleaned_data)
                data["lead_unit"] = data["lead_unit"].pk if data.get("lead_unit") else None
                data["supporting_units"] = [u.pk for u in data.get("supporting_units") or []]
                rows.append(data)
        present = {(row["task"].strip(), row["lead_unit"]) for row in rows}
        body = form.data.get("body", "")
        found = suggestion_initial(suggest(body, self.units, year=timezone.localdate().year))
        new = [row for row in found if (row["task"].strip(), row["lead_unit"]) not in present]
        self.suggested = len(new)
        self.formset = AssignmentFormSet(prefix=PREFIX, units=self.units, initial=rows + new)

    def is_valid(self) -> bool:
        return not self.submitted or self.formset.is_valid()

    def has_changed(self) -> bool:
        return self.submitted and self.formset.has_changed()

    def specs(self) -> list[AssignmentSpec]:
        return self.formset.specs() if self.submitted else []
