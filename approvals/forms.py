"""Task forms: validate the input; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from documents.people import display_name
from documents.permissions import GROUP_SIGNERS

from .models import DocumentProcess


def signer_choices():
    return (
        get_user_model()
        .objects.filter(groups__name=GROUP_SIGNERS, is_active=True, profile__isnull=False)
        .select_related("profile__position")
        .order_by("last_name", "first_name")
    )


class SignerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{display_name(obj)} — {obj.profile.position.name}"


class SubmitForm(forms.Form):
    signer = SignerChoiceField(
        label=_("Trình lãnh đạo ký"),
        queryset=signer_choices(),
        error_messages={"required": _("Hãy chọn lãnh đạo ký văn bản.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = signer_choices()


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[c for c in DocumentProcess.Decision.choices if c[0]],
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn: ký duyệt, trả lại hoặc không duyệt.")},
    )
    comment = forms.CharField(
        label=_("Ý kiến"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Bắt buộc khi trả lại hoặc không duyệt."),
    )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == DocumentProcess.Decision.RETURN and not data.get("comment", "").strip():
            self.add_error("comment", _("Phải ghi ý kiến khi trả lại văn bản."))
        if decision == DocumentProcess.Decision.REJECT and not data.get("comment", "").strip():
            self.add_error("comment", _("Phải ghi lý do khi không duyệt văn bản."))
        return data


class IssueForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Tôi đã kiểm tra thể thức văn bản và xác nhận cho số, ban hành."),
        error_messages={"required": _("Hãy xác nhận trước khi ban hành.")},
    )


class AcknowledgeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Đơn vị đã nhận đủ văn bản."),
        error_messages={"required": _("Hãy đánh dấu xác nhận đã nhận văn bản.")},
    )


class HandOverForm(forms.Form):
    """The unit head gives a receipt to a member of the unit."""

    assignee = forms.ModelChoiceField(
        label=_("Giao cho"),
        queryset=get_user_model().objects.none(),
        error_messages={
            "required": _("Hãy chọn người được giao xác nhận."),
            "invalid_choice": _("Người được chọn không thuộc đơn vị nhận."),
        },
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = (
            get_user_model()
            .objects.filter(groups=unit.group_id, is_active=True)
            .order_by("last_name", "first_name")
        )
        field.label_from_instance = display_name
