"""Django admin: the organisation is managed here; documents and the trail are read-only."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Attachment,
    Document,
    DocumentType,
    Event,
    Organization,
    Position,
    Profile,
    Receipt,
    RecipientLine,
    RegisterCounter,
    Unit,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "parent_name", "place", "numbering"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "kind", "organization", "receiver", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "abbreviation"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "signs_documents"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "position"]
    list_filter = ["unit", "position"]


class ProfileInline(admin.StackedInline):
    """A person's unit and position, on the same page as their account."""

    model = Profile
    can_delete = False
    extra = 1
    max_num = 1


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "last_name", "first_name", "unit", "position", "is_active"]
    list_select_related = ["profile__unit", "profile__position"]
    list_filter = ["is_active", "groups", "profile__unit"]

    @admin.display(description=_("đơn vị"), ordering="profile__unit__name")
    def unit(self, user):
        return getattr(getattr(user, "profile", None), "unit", None) or "—"

    @admin.display(description=_("chức vụ"), ordering="profile__position__name")
    def position(self, user):
        return getattr(getattr(user, "profile", None), "position", None) or "—"


admin.site.site_header = _("Quản trị Văn thư")
admin.site.site_title = _("Quản trị Văn thư")
admin.site.index_title = _("Tổ chức, người dùng và nhật ký")


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation"]
    search_fields = ["name", "abbreviation"]


class ReadOnlyAdminMixin:
    """The records and their trail change only through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecipientLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RecipientLine
    extra = 0
    fields = readonly_fields = ("position", "text", "units")


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = readonly_fields = ("original_name", "size", "sha256", "uploaded_by", "uploaded_at")


# misc: guardian's GuardedModelAdminMixin declares change_form_template as a str instance
# attribute, django-stubs' ModelAdmin as a ClassVar: mypy flags a class inheriting both.
@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin, GuardedModelAdmin):  # type: ignore[misc]
    list_display = ["__str__", "status", "drafting_unit", "issued_on"]
    list_filter = ["status", "document_type", "urgency", "confidentiality", "issued_year"]
    search_fields = ["subject", "notation", "body"]
    inlines = [RecipientLineInline, AttachmentInline]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's "revert" form would rewrite the record: not here.
        extra_context = {**(extra_context or {}), "revert_disabled": True}
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["document", "unit", "status", "acknowledged_by", "acknowledged_at"]
    list_filter = ["status", "unit"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "document", "kind", "actor", "role", "comment"]
    list_filter = ["kind"]
    search_fields = ["comment", "document__subject", "document__notation"]
    verbose_name = _("nhật ký xử lý")


@admin.register(RegisterCounter)
class RegisterCounterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "key", "year", "last_number"]
