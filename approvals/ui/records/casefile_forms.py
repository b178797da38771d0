"""Forms of the case file screens: validate the input; documents.records.casefiles decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.models import CaseFile, Document, Organization, Unit
from documents.people import display_name
from documents.records import casefiles
from documents.selectors import document_list_visible_to


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        profile = getattr(obj, "profile", None)
        unit = f" — {profile.unit.name}" if profile is not None else ""
        return f"{display_name(obj)}{unit}"


class CaseFileForm(forms.Form):
    """An entry of the list: year, số và ký hiệu, title, unit, responsible person, retention."""

    year = forms.IntegerField(
        label=_("Năm"), min_value=casefiles.MIN_YEAR, max_value=casefiles.MAX_YEAR
    )
    code = forms.CharField(
        label=_("Số và ký hiệu hồ sơ"),
        max_length=casefiles.MAX_CODE,
        help_text=_("Ví dụ: 01.VP hoặc 12/KHTH"),
        error_messages={"required": _("Hãy nhập số và ký hiệu hồ sơ.")},
    )
    title = forms.CharField(
        label=_("Tiêu đề hồ sơ"),
        max_length=casefiles.MAX_TITLE,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy nhập tiêu đề hồ sơ.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị lập hồ sơ"), queryset=Unit.objects.none(), required=False
    )
    responsible = PersonField(
        label=_("Người lập hồ sơ"),
        queryset=User.objects.none(),
        error_messages={"required": _("Hãy chọn người lập hồ sơ.")},
    )
    permanent = forms.BooleanField(label=_("Bảo quản vĩnh viễn"), required=False)
    retention_years = forms.IntegerField(
        label=_("Thời hạn bảo quản (năm)"),
        required=False,
        min_value=1,
        max_value=casefiles.MAX_RETENTION,
    )
    notes = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=casefiles.MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organization: Organization | None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(organization=organization, kind=Unit.Kind.INTERNAL)
        people = User.objects.filter(profile__unit__organization=organization, is_active=True)
        self.fields["unit"].queryset = units.order_by("name")  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = people.select_related(  # type: ignore[attr-defined]
            "profile__unit"
        ).order_by("last_name", "first_name")

    @staticmethod
    def initial_for(case_file: CaseFile) -> dict[str, Any]:
        return {
            "year": case_file.year,
            "code": case_file.code,
            "title": case_file.title,
            "unit": case_file.unit_id,
            "responsible": case_file.responsible_id,
            "permanent": case_file.retention_years is None,
            "retention_years": case_file.retention_years,
            "notes": case_file.notes,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = not data.get("permanent") and data.get("retention_years") is None
        if missing and "retention_years" not in self.errors:
            self.add_error(
                "retention_years", _("Hãy nhập thời hạn bảo quản, hoặc chọn bảo quản vĩnh viễn.")
            )
        return data

    def values(self) -> dict[str, Any]:
        """What the services take."""
        data = self.cleaned_data
        return {
            "year": data["year"],
            "code": data["code"],
            "title": data["title"],
            "unit": data["unit"],
            "responsible": data["responsible"],
            "retention_years": None if data["permanent"] else data["retention_years"],
            "notes": data["notes"],
        }


class CaseFileFilter(forms.Form):
    """The list's filters: year, unit, status."""

    year = forms.IntegerField(
        label=_("Năm"), required=False, min_value=casefiles.MIN_YEAR, max_value=casefiles.MAX_YEAR
    )
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Tất cả"))] + list(CaseFile.Status.choices),
        required=False,
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("name")  # type: ignore[attr-defined]


class CaseFileChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: CaseFile) -> str:
        return f"{obj.code} ({obj.year}) — {obj.title}"


class FileForm(forms.Form):
    """'Đưa vào hồ sơ': an open case file the person files into, and a document they see."""

    case_file = CaseFileChoice(
        label=_("Hồ sơ"),
        queryset=CaseFile.objects.none(),
        error_messages={
            "required": _("Hãy chọn hồ sơ."),
            "invalid_choice": _("Hồ sơ không có, đã kết thúc, hoặc bạn không được đưa vào."),
        },
    )
    document = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Không tìm thấy văn bản."),
            "invalid_choice": _("Không tìm thấy văn bản."),
        },
    )

    def __init__(
        self, *args: Any, user: User, exclude: set[int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        open_files = casefiles.open_case_files_for(user).exclude(pk__in=exclude or set())
        self.fields["case_file"].queryset = open_files.order_by(  # type: ignore[attr-defined]
            "-year", "code"
        )
        self.fields["document"].queryset = document_list_visible_to(user)  # type: ignore[attr-defined]


class UnfileForm(forms.Form):
    """The document to take out of the case file: one of its documents the person may see
    (the same error for one not in it and one they may not see)."""

    document = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        error_messages={
            "required": _("Hãy chọn văn bản."),
            "invalid_choice": _("Văn bản không có trong hồ sơ này."),
        },
    )

    def __init__(self, *args: Any, case_file: CaseFile, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = casefiles.unfileable_by(user, case_file)
        self.fields["document"].queryset = documents  # type: ignore[attr-defined]
