"""Django admin: the administrator manages the organisation and its people here.

Documents, receipts, the trail and viewflow's processes and tasks are not in the admin: the
administrator acts in no workflow step and reads no document (documents.permissions). Every
change of the reference data (types, the agency, units, positions, profiles) keeps its history,
so renaming something is itself on record; documents keep the names they were signed under.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    CalendarChange,
    DocumentType,
    Organization,
    Position,
    Profile,
    RegisterCounter,
    Unit,
)


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "abbreviation", "parent_name", "place", "numbering"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "abbreviation",
        "kind",
        "organization",
        "head",
        "receiver",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "abbreviation"]


@admin.register(CalendarChange)
class CalendarChangeAdmin(SimpleHistoryAdmin):
    """The government's yearly moves of days off and make-up Saturdays (documents.workdays)."""

    list_display = ["day", "kind", "reason"]
    list_filter = ["kind"]
    date_hierarchy = "day"


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "signs_documents"]


@admin.register(Profile)
class ProfileAdmin(SimpleHistoryAdmin):
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
class DocumentTypeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "abbreviation"]
    search_fields = ["name", "abbreviation"]


class ReadOnlyAdminMixin:
    """Numbers are taken by the issuing service only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegisterCounter)
class RegisterCounterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "key", "year", "last_number"]
