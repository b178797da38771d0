"""Forms of the drafting screens: validate the input; documents.services decides."""

from __future__ import annotations

from typing import cast

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from documents import uploads
from documents.dates import vn_short_date
from documents.followup.services import AssignmentSpec
from documents.models import Assignment, Document, DocumentType, Unit
from documents.selectors import document_list_visible_to
from documents.services import RecipientSpec

# The years the list can be filtered by: a date lookup beyond them overflows the datetime range.
MIN_YEAR, MAX_YEAR = 1900, 2999


class CitedDocumentField(forms.ModelMultipleChoiceField):
    """Issued documents, named as a citation names them: '83/KH-UBND ngày 01/4/2020 — …'."""

    def label_from_instance(self, obj: Document) -> str:
        return citation_label(obj)

    @staticmethod
    def single(**kwargs) -> forms.ModelChoiceField:
        """One such document (what a draft corrects or replaces)."""
        return CitedDocumentChoiceField(**kwargs)


def citation_label(obj: Document) -> str:
    when = f" ngày {vn_short_date(obj.issued_on)}" if obj.issued_on else ""
    return f"{obj.notation}{when} — {obj.subject}"


class CitedDocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return citation_label(obj)


class DocumentForm(forms.Form):
    """Type, trích yếu, body, urgency, confidentiality, cited documents and one attachment."""

    document_type = forms.ModelChoiceField(
        label=_("Loại văn bản"),
        queryset=DocumentType.objects.all(),
        error_messages={"required": _("Hãy chọn loại văn bản.")},
    )
    subject = forms.CharField(
        label=_("Trích yếu"),
        max_length=500,
        error_messages={"required": _("Trích yếu không được để trống.")},
    )
    body = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    urgency = forms.ChoiceField(
        label=_("Độ khẩn"),
        choices=Document.Urgency.choices,
        required=False,
    )
    confidentiality = forms.ChoiceField(
        label=_("Độ mật"),
        choices=Document.Confidentiality.choices,
        required=False,
    )
    archive_copies = forms.IntegerField(
        label=_("Số bản lưu"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_('In ở dòng cuối nơi nhận: "Lưu: VT, <đơn vị soạn thảo> (<số bản>)."'),
    )
    cites = CitedDocumentField(
        label=_("Văn bản căn cứ, trích dẫn"),
        required=False,
        queryset=Document.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_(
            "Văn bản đã ban hành mà văn bản này căn cứ, thực hiện hoặc trích dẫn "
            "(giữ Ctrl để chọn nhiều)."
        ),
    )
    supersede_kind = forms.ChoiceField(
        label=_("Đính chính, thay thế"),
        required=False,
        choices=[
            ("", _("Không")),
            ("corrects", _("Đính chính văn bản")),
            ("replaces", _("Thay thế văn bản")),
        ],
        help_text=_(
            "Văn bản đính chính là Công văn; văn bản thay thế cùng loại với văn bản bị thay thế."
        ),
    )
    supersedes = CitedDocumentField.single(
        label=_("Văn bản được đính chính, thay thế"),
        required=False,
        queryset=Document.objects.none(),
    )
    attachment = forms.FileField(
        label=_("Tệp đính kèm"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT}),
        help_text=_(
            "PDF, DOCX, XLSX, ODT, JPEG hoặc PNG, tối đa 20 MB. "
            "Có thể đính kèm thêm tệp khi chỉnh sửa."
        ),
    )

    def __init__(self, *args, user, document: Document | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the person may see, issued (it has a number), and not the document itself.
        citable = document_list_visible_to(user).exclude(notation="").order_by("-issued_on", "-pk")
        if document is not None:
            citable = citable.exclude(pk=document.pk)
        if document is not None:
            self.fields["archive_copies"].initial = document.archive_copies
        cites = self.fields["cites"]
        assert isinstance(cites, CitedDocumentField)
        cites.queryset = citable
        # What it may correct or replace: an issued outgoing document the person sees.
        supersedes = cast(forms.ModelChoiceField, self.fields["supersedes"])
        supersedes.queryset = citable.filter(
            origin=Document.Origin.OUTGOING,
            status__in=(Document.Status.ISSUED, Document.Status.ARCHIVED),
        )
        if document is not None and (document.corrects_id or document.replaces_id):
            self.fields["supersede_kind"].initial = (
                "corrects" if document.corrects_id else "replaces"
            )
            supersedes.initial = document.corrects_id or document.replaces_id

    def clean_subject(self):
        subject = self.cleaned_data["subject"].strip()
        if not subject:
            raise forms.ValidationError(_("Trích yếu không được để trống."))
        return subject

    def clean_attachment(self):
        """The same check as the service, early: the error shows beside the file field."""
        upload = self.cleaned_data.get("attachment")
        if upload:
            uploads.inspect_upload(upload, name=upload.name or "", size=upload.size or 0)
        return upload

    def clean(self):
        data = super().clean()
        kind, old = data.get("supersede_kind"), data.get("supersedes")
        if kind and old is None and "supersedes" not in self.errors:
            self.add_error("supersedes", _("Hãy chọn văn bản được đính chính hoặc thay thế."))
        return data

    def content(self) -> dict:
        data = self.cleaned_data
        return {
            "document_type": data["document_type"],
            "subject": data["subject"],
            "body": data["body"],
            "urgency": data["urgency"] or "",
            "confidentiality": data["confidentiality"] or "",
            "archive_copies": data["archive_copies"],
            "cites": list(data["cites"]),
            "corrects": data["supersedes"] if data.get("supersede_kind") == "corrects" else None,
            "replaces": data["supersedes"] if data.get("supersede_kind") == "replaces" else None,
        }


class RecipientLineForm(forms.Form):
    """One printed line of "Nơi nhận" and the units that receive the document through it."""

    text = forms.CharField(label=_("Dòng nơi nhận"), max_length=255, required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị nhận"),
        required=False,
        queryset=Unit.objects.filter(is_active=True),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    def clean(self):
        data = super().clean()
        if data.get("units") and not (data.get("text") or "").strip():
            self.add_error("text", _("Hãy ghi dòng nơi nhận cho các đơn vị đã chọn."))
        return data


class BaseRecipientFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.specs():
            raise forms.ValidationError(_("Văn bản phải có ít nhất một nơi nhận."))

    def specs(self) -> list[RecipientSpec]:
        return [
            RecipientSpec(form.cleaned_data["text"], list(form.cleaned_data.get("units") or []))
            for form in self.forms
            if form.cleaned_data and (form.cleaned_data.get("text") or "").strip()
        ]


RecipientFormSet = forms.formset_factory(
    RecipientLineForm, formset=BaseRecipientFormSet, extra=2, max_num=30
)


def recipient_initial(document: Document) -> list[dict]:
    return [
        {"text": line.text, "units": list(line.units.all())}
        for line in document.recipient_lines.prefetch_related("units")
    ]


class YearFilter(django_filters.NumberFilter):
    """A whole year: '2020', never '2020.5' or '1e400'."""

    field_class = forms.IntegerField


class DocumentFilter(django_filters.FilterSet):
    """Filters of the document list: type, state, unit, year, urgency.

    Every option list is bounded by the organisation, never by the documents: the types
    (one query, tens of rows), the internal units (one query), the states and urgencies (from
    the model, no query). Types and units are read once per request, for the options and to
    check a chosen value alike (a ModelChoiceFilter would query again to check it). The year
    is typed and checked (1900-2999), so no query scans the documents for the years they
    span; filtering by it reads created_at as a range.
    """

    document_type = django_filters.ChoiceFilter(label=_("Loại văn bản"))
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=Document.Status.choices)
    drafting_unit = django_filters.ChoiceFilter(label=_("Đơn vị soạn thảo"))
    year = YearFilter(label=_("Năm"), method="filter_year", min_value=MIN_YEAR, max_value=MAX_YEAR)
    urgency = django_filters.ChoiceFilter(
        label=_("Độ khẩn"), choices=[c for c in Document.Urgency.choices if c[0]]
    )

    class Meta:
        model = Document
        fields = ["document_type", "status", "drafting_unit", "urgency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["document_type"].extra["choices"] = [
            (document_type.pk, str(document_type)) for document_type in DocumentType.objects.all()
        ]
        self.filters["drafting_unit"].extra["choices"] = [
            (unit.pk, str(unit)) for unit in Unit.objects.filter(kind=Unit.Kind.INTERNAL)
        ]

    def filter_year(self, queryset, name, value):
        return queryset.filter(
            Q(issued_year=value) | Q(issued_year__isnull=True, created_at__year=value)
        )


class AssignmentForm(forms.Form):
    """One task the document assigns: to one unit in charge, with its deadline. A row with
    no task is left out (that is how a row is removed)."""

    heading = forms.CharField(label=_("Mục"), max_length=255, required=False)
    task = forms.CharField(
        label=_("Nhiệm vụ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_unit = forms.ModelChoiceField(
        label=_("Đơn vị chủ trì"), required=False, queryset=Unit.objects.none()
    )
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị phối hợp"),
        required=False,
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    deadline_text = forms.CharField(
        label=_("Thời gian thực hiện (như ghi trong văn bản)"), max_length=200, required=False
    )
    deadline_kind = forms.ChoiceField(
        label=_("Loại thời hạn"),
        choices=Assignment.Deadline.choices,
        initial=Assignment.Deadline.DATE,
    )
    due_on = forms.DateField(label=_("Hạn hoàn thành (ngày/tháng/năm)"), required=False)
    working_days = forms.IntegerField(
        label=_("Số ngày làm việc kể từ ngày ban hành"), required=False, min_value=1, max_value=365
    )
    day_of_month = forms.IntegerField(
        label=_("Ngày báo cáo hằng tháng (trống: cuối tháng)"),
        required=False,
        min_value=1,
        max_value=31,
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Unit.objects.none()
        for name in ("lead_unit", "supporting_units"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units

    def clean(self):
        data = super().clean()
        if not (data.get("task") or "").strip():
            return data
        if data.get("lead_unit") is None:
            self.add_error("lead_unit", _("Hãy chọn đơn vị chủ trì."))
        kind = data.get("deadline_kind")
        if kind == Assignment.Deadline.DATE and data.get("due_on") is None:
            self.add_error("due_on", _("Hãy ghi hạn hoàn thành."))
        if kind == Assignment.Deadline.WORKING_DAYS and not data.get("working_days"):
            self.add_error("working_days", _("Hãy ghi số ngày làm việc."))
        return data

    def spec(self) -> AssignmentSpec | None:
        data = self.cleaned_data
        if not data or not (data.get("task") or "").strip():
            return None
        return AssignmentSpec(
            task=data["task"],
            lead_unit=data["lead_unit"],
            supporting_units=list(data.get("supporting_units") or []),
            heading=data.get("heading") or "",
            deadline_text=data.get("deadline_text") or "",
            deadline_kind=data["deadline_kind"],
            due_on=data.get("due_on"),
            working_days=data.get("working_days"),
            day_of_month=data.get("day_of_month"),
        )


class BaseAssignmentFormSet(forms.BaseFormSet):
    def __init__(self, *args, units=None, **kwargs):
        self.units = units
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "units": self.units}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            units=self.units,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def specs(self) -> list[AssignmentSpec]:
        return [spec for form in self.forms if (spec := form.spec()) is not None]


AssignmentFormSet = cast(
    "type[BaseAssignmentFormSet]",
    forms.formset_factory(AssignmentForm, formset=BaseAssignmentFormSet, extra=1, max_num=100),
)


def assignable_units(organization) -> QuerySet[Unit]:
    """The units a document of the agency may give tasks to: its own active units."""
    if organization is None:
        return Unit.objects.none()
    return Unit.objects.filter(organization=organization, is_active=True).order_by("name")


def assignment_initial(document: Document) -> list[dict]:
    return [
        {
            "heading": row.heading,
            "task": row.task,
            "lead_unit": row.lead_unit_id,
            "supporting_units": [u.pk for u in row.supporting_units.all()],
            "deadline_text": row.deadline_text,
            "deadline_kind": row.deadline_kind,
            "due_on": row.due_on if row.deadline_kind == Assignment.Deadline.DATE else None,
            "working_days": row.working_days,
            "day_of_month": row.day_of_month,
        }
        for row in document.assignments.prefetch_related("supporting_units")
    ]


def suggestion_initial(suggestions) -> list[dict]:
    """The body's "Phân công thực hiện" lines as rows to check before saving."""
    rows = []
    for s in suggestions:
        deadline = s.deadline
        rows.append(
            {
                "heading": s.heading,
                "task": s.task,
                "lead_unit": s.lead_unit_id,
                "supporting_units": list(s.supporting_unit_ids),
                "deadline_text": s.deadline_text,
                "deadline_kind": deadline.kind if deadline else Assignment.Deadline.DATE,
                "due_on": deadline.due_on if deadline else None,
                "working_days": deadline.working_days if deadline else None,
                "day_of_month": deadline.day_of_month if deadline else None,
            }
        )
    return rows
