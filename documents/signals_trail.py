"""Rights and organisation changes on the trail's "system" chain, whatever the door: the
Django admin, a management command, a shell, code.

Recorded (documents.audit.record_system), with what each changed from and to:

- a person's account: created, deleted, its username, ``is_active``, ``is_staff``,
  ``is_superuser``; its groups (a unit's members are its group) and its own permissions;
  their profile (unit, position) — RIGHTS_CHANGED;
- groups and their permissions; guardian object permissions given one by one
  (guardian.shortcuts.assign_perm, an admin) — RIGHTS_CHANGED;
- the agency (Organization), its units and positions — ORGANISATION_CHANGED.

Event.data: {"model": "auth.user", "object": "<as shown>", "id": <pk>, "action":
"created"|"changed"|"deleted", "changes": {field: [old, new]}}; related rows by their name,
sets (groups, permissions, members) as sorted lists of names.

The actor: the person of the current request (the request simple_history's
HistoryRequestMiddleware already keeps for its own records, config/settings.py MIDDLEWARE),
None (Hệ thống) outside a request.

Not recorded, on purpose:
- what the workflow writes for every document: DocumentAccess rows and guardian object
  permissions, in bulk (documents.access: bulk_create sends no signal), and the signer's
  permission it takes back (guardian.shortcuts.remove_perm, a queryset delete: no receiver
  is connected to deletions of guardian rows, so that delete stays one statement);
- a login (``last_login``): no right change; a password changed is recorded (that it
  changed and by whom, never its value);
- rows loaded from a fixture or a backup (``loaddata``: raw saves): data restored, not a
  change a person made.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Event, Organization, Position, Profile, Unit

# Fields whose change is recorded without their values: an administrator who sets a leader's
# password could sign in as them.
SECRET: dict[type[models.Model], tuple[str, ...]] = {User: ("password",)}
HIDDEN = "***"
# The fields whose change is recorded, per model; and the kind of event.
TRACKED: dict[type[models.Model], tuple[str, ...]] = {
    User: ("username", "is_active", "is_staff", "is_superuser"),
    Group: ("name",),
    Profile: ("user", "unit", "position"),
    Organization: (
        "name",
        "abbreviation",
        "parent_name",
        "place",
        "head_title",
        "numbering",
    ),
    Unit: (
        "name",
        "abbreviation",
        "kind",
        "organization",
        "group",
        "receiver",
        "head",
        "is_records_office",
        "is_active",
    ),
    Position: ("name", "signs_documents"),
}
ORGANISATION_MODELS = (Organization, Unit, Position)

# Attributes kept on an instance between the pre_ and post_ signals.
OLD = "_trail_old"
OLD_SETS = "_trail_old_sets"
RAW = "_trail_raw"

DISPATCH = "vanthu-trail"


def current_actor() -> User | None:
    """The signed-in person of the request being served; None outside a request."""
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "_wrapped", user)  # the User behind the request's lazy object


def _kind(model: type[models.Model]) -> str:
    if issubclass(model, ORGANISATION_MODELS):
        return Event.Kind.ORGANISATION_CHANGED
    return Event.Kind.RIGHTS_CHANGED


def _name(obj: models.Model | None) -> str | None:
    """A related row as the trail names it."""
    if obj is None:
        return None
    if isinstance(obj, User):
        return obj.username
    if isinstance(obj, Permission):
        return f"{obj.content_type.app_label}.{obj.codename}"
    return str(obj)


def _value(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    if field.is_relation:
        return _name(getattr(instance, name))
    return getattr(instance, name)


def _record(
    instance: models.Model, action: str, changes: dict[str, list[Any]], label: str = ""
) -> None:
    from . import audit

    meta = instance._meta
    with translation.override(settings.LANGUAGE_CODE):
        what = str(meta.verbose_name)
        shown = label or _name(instance) or ""
        comments = {
            "created": _("Thêm %(what)s: %(object)s"),
            "changed": _("Thay đổi %(what)s: %(object)s"),
            "deleted": _("Xóa %(what)s: %(object)s"),
        }
        comment = comments[action] % {"what": what, "object": shown}
    audit.record_system(
        actor=current_actor(),
        kind=_kind(type(instance)),
        comment=comment,
        data={
            "model": meta.label_lower,
            "object": shown,
            "id": instance.pk,
            "action": action,
            "changes": changes,
        },
    )


# --- rows: before → after ------------------------------------------------------------


def before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Read the row as it is before the save, when the save may change a tracked field."""
    instance.__dict__.pop(OLD, None)
    if raw:
        instance.__dict__[RAW] = True  # its many-to-many rows follow, from the same fixture
        return
    if instance._state.adding or instance.pk is None:
        return
    tracked = TRACKED[sender] + SECRET.get(sender, ())
    if update_fields is not None and set(update_fields) == {"password"}:
        return  # a login upgrading the hash of the same password (Django's check_password)
    if update_fields is not None and not set(update_fields) & set(tracked):
        return  # a login's last_login: nothing recorded, nothing read
    instance.__dict__[OLD] = sender._base_manager.filter(pk=instance.pk).first()


def after_save(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw:
        return
    tracked = TRACKED[sender]
    if created:
        changes = {name: [None, _value(instance, name)] for name in tracked}
        _record(instance, "created", changes)
        return
    old = instance.__dict__.pop(OLD, None)
    if old is None:
        return
    changes = {}
    for name in tracked:
        attname = instance._meta.get_field(name).attname
        if getattr(old, attname) != getattr(instance, attname):
            changes[name] = [_value(old, name), _value(instance, name)]
    for name in SECRET.get(sender, ()):
        if getattr(old, name) != getattr(instance, name):
            # That it changed, never its value (a password's hash stays out of the trail).
            changes[name] = [HIDDEN, HIDDEN]
    if changes:
        _record(instance, "changed", changes)


def after_delete(sender, instance, **kwargs) -> None:
    label = _name(instance) or ""
    _record(instance, "deleted", {}, label=label)


# --- sets: groups, permissions, members ----------------------------------------------


def _set_fields() -> list[models.ManyToManyField]:
    return [
        User._meta.get_field("groups"),  # type: ignore[list-item]
        User._meta.get_field("user_permissions"),  # type: ignore[list-item]
        Group._meta.get_field("permissions"),  # type: ignore[list-item]
    ]


def _accessor(sender, reverse: bool) -> str | None:
    for field in _set_fields():
        if field.remote_field.through is sender:
            return field.remote_field.get_accessor_name() if reverse else field.name
    return None


def _names_of(instance: models.Model, accessor: str) -> list[str]:
    related = getattr(instance, accessor).all()
    if related.model is Permission:
        related = related.select_related("content_type")
    return sorted(str(_name(obj)) for obj in related)


def set_changed(sender, instance, action, reverse, **kwargs) -> None:
    if instance.__dict__.get(RAW):
        return  # loaded from a fixture with the row
    accessor = _accessor(sender, reverse)
    if accessor is None:
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        instance.__dict__.setdefault(OLD_SETS, {})[accessor] = _names_of(instance, accessor)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    old = instance.__dict__.get(OLD_SETS, {}).pop(accessor, None)
    if old is None:
        return
    new = _names_of(instance, accessor)
    if old != new:
        _record(instance, "changed", {accessor: [old, new]})


# --- guardian: an object permission given one by one ----------------------------------


def object_permission_given(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw or not created:
        return
    holder = instance.user if hasattr(instance, "user_id") else instance.group
    permission = instance.permission
    target = f"{instance.content_type.app_label}.{instance.content_type.model}#{instance.object_pk}"
    _record(
        instance,
        "created",
        {
            "permission": [None, _name(permission)],
            "holder": [None, _name(holder)],
            "object": [None, target],
        },
        label=f"{_name(holder)}: {_name(permission)} — {target}",
    )


def connect() -> None:
    """Called once, from DocumentsConfig.ready."""
    for model in TRACKED:
        uid = f"{DISPATCH}-{model._meta.label_lower}"
        pre_save.connect(before_save, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(after_save, sender=model, dispatch_uid=f"{uid}-post")
        post_delete.connect(after_delete, sender=model, dispatch_uid=f"{uid}-delete")
    for field in _set_fields():
        through = field.remote_field.through
        assert through is not None  # auth's own tables, made by Django
        m2m_changed.connect(
            set_changed, sender=through, dispatch_uid=f"{DISPATCH}-{through._meta.label_lower}"
        )
    from guardian.models import GroupObjectPermission, UserObjectPermission

    for model in (UserObjectPermission, GroupObjectPermission):
        post_save.connect(
            object_permission_given,
            sender=model,
            dispatch_uid=f"{DISPATCH}-{model._meta.label_lower}",
        )
