from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Văn bản")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import access, checks, lookups  # noqa: F401 -- checks registers itself

        lookups.register()
        post_migrate.connect(access.forget_permissions, dispatch_uid="vanthu-forget-perms")

        # Rights and organisation changes on the trail's system chain, whatever the door.
        from . import signals_trail

        signals_trail.connect()
