"""Forms of the drafting screens: validate the input; documents.services decides."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from documents import uploads
from documents.dates import vn_short_date
from documents.models import Document, DocumentType, Unit
from documents.selectors import document_list_visible_to
from documents.services import RecipientSpec

# The years the list can be filtered by: a date lookup beyond them overflows the datetime range.
MIN_YEAR, MAX_YEAR = 1900, 2999


class CitedDocumentField(forms.ModelMultipleChoiceField):
    """Issued documents, named as a citation names them: '83/KH-UBND ngày 01/4/2020 — …'."""

    def label_from_instance(self, obj: Document) -> str:
        when = f" ngày {vn_short_date(obj.issued_on)}" if obj.issued_on else ""
        return f"{obj.notation}{when} — {obj.subject}"


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
