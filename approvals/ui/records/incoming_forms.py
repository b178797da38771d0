"""The forms of the incoming documents' screens: reception, the steps, the list's filter."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.models import Document, DocumentType, IncomingRecord, Unit
from documents.records import incoming_selectors as rules

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
ALL = [("", _("Tất cả"))]


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        from documents.people import display_name

        position = getattr(getattr(obj, "profile", None), "position", None)
        return f"{display_name(obj)} — {position.name}" if position else display_name(obj)


class RegisterForm(forms.Form):
    """Tiếp nhận văn bản đến: the file, and the metadata the register's columns need."""

    upload = forms.FileField(
        label=_("Tệp văn bản (PDF có chữ ký số, hoặc bản quét PDF, JPEG, PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    sender_name = forms.CharField(label=_("Cơ quan ban hành (nơi gửi)"), max_length=255)
    sender_unit = forms.ModelChoiceField(
        label=_("Nơi gửi trong danh bạ (nếu có)"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Cơ quan có tài khoản trên hệ thống được báo đã nhận văn bản."),
    )
    notation = forms.CharField(label=_("Số, ký hiệu văn bản"), max_length=60)
    issued_on = forms.DateField(
        label=_("Ngày văn bản"), widget=DATE_INPUT, input_formats=DATE_FORMATS
    )
    document_type = forms.ModelChoiceField(
        label=_("Loại văn bản"), queryset=DocumentType.objects.none()
    )
    subject = forms.CharField(
        label=_("Trích yếu nội dung"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    signer_name = forms.CharField(label=_("Người ký"), max_length=150, required=False)
    urgency = forms.ChoiceField(
        label=_("Độ khẩn"), choices=Document.Urgency.choices, required=False
    )
    confidentiality = forms.ChoiceField(
        label=_("Độ mật"), choices=Document.Confidentiality.choices, required=False
    )
    channel = forms.ChoiceField(
        label=_("Hình thức nhận"),
        choices=IncomingRecord.Channel.choices,
        initial=IncomingRecord.Channel.ELECTRONIC,
    )
    due_on = forms.DateField(
        label=_("Hạn giải quyết (nếu văn bản yêu cầu)"),
        required=False,
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
    )
    notes = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Vẫn vào sổ (đã kiểm tra, đây không phải văn bản đã nhận)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sender = self.fields["sender_unit"]
        assert isinstance(sender, forms.ModelChoiceField)
        sender.queryset = Unit.objects.filter(kind=Unit.Kind.EXTERNAL, is_active=True).order_by(
            "name"
        )
        kinds = self.fields["document_type"]
        assert isinstance(kinds, forms.ModelChoiceField)
        kinds.queryset = DocumentType.objects.order_by("name")

    @property
    def duplicate_warning(self) -> bool:
        """The service found a possible duplicate: the checkbox is offered."""
        return bool(self.errors.get("confirm_duplicate"))

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["urgency"] = data.get("urgency") or ""
        data["confidentiality"] = data.get("confidentiality") or ""
        return data


class PresentForm(forms.Form):
    leader = LeaderChoiceField(label=_("Trình lãnh đạo"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args, organization_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        leader = self.fields["leader"]
        assert isinstance(leader, forms.ModelChoiceField)
        leader.queryset = rules.leaders_of(organization_id)
        leader.initial = rules.head_of_agency(organization_id)


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class InstructForm(forms.Form):
    instruction = forms.CharField(
        label=_("Ý kiến chỉ đạo"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead_unit = forms.ModelChoiceField(label=_("Đơn vị chủ trì"), queryset=Unit.objects.none())
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị phối hợp"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    due_on = forms.DateField(
        label=_("Hạn giải quyết"),
        required=False,
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
    )

    def __init__(self, *args, organization_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        units = rules.assignable_units(organization_id)
        for name in ("lead_unit", "supporting_units"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units

    def clean_due_on(self):
        due_on = self.cleaned_data.get("due_on")
        if due_on is not None and due_on < timezone.localdate():
            raise forms.ValidationError(_("Hạn giải quyết không được trước hôm nay."))
        return due_on


class GiveForm(forms.Form):
    handler = LeaderChoiceField(label=_("Người giải quyết"), queryset=None)  # type: ignore[arg-type]
    unit_instruction = forms.CharField(
        label=_("Ý kiến của lãnh đạo đơn vị"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        handler = self.fields["handler"]
        assert isinstance(handler, forms.ModelChoiceField)
        handler.queryset = rules.unit_members(unit).select_related("profile__position")


class ProposeForm(forms.Form):
    proposal = forms.CharField(
        label=_("Ý kiến đề xuất của người giải quyết"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CompleteForm(forms.Form):
    result = forms.CharField(
        label=_("Kết quả giải quyết"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class IncomingFilter(forms.Form):
    q = forms.CharField(label=_("Tìm"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=ALL + list(IncomingRecord.Status.choices)
    )
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=2000, max_value=2100)
