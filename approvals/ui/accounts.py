"""Sign-in, sign-out and password screens: viewflow's AuthViewset, made readable in Vietnamese.

viewflow's form renderer escapes help texts, and Django's password help text is HTML
(a <ul> of the validators' rules), so the person saw raw tags. These forms give it as text.
"""

from __future__ import annotations

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site


class PlainPasswordHelp:
    """The new password's rules as one line of text instead of an HTML list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = password_validation.password_validators_help_texts()
        self.fields["new_password1"].help_text = " ".join(rules)


class PasswordChangeForm(PlainPasswordHelp, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(PlainPasswordHelp, auth_forms.SetPasswordForm):
    pass


class AccountViewset(AuthViewset):
    """The auth screens, shown inside the site's frame (menu and user panel) once signed in."""

    def __init__(self, *, site: Site | None = None, **kwargs):
        super().__init__(**kwargs)
        self.site = site

    def _get_resolver_extra(self):
        extra = super()._get_resolver_extra()
        if self.site is not None:
            extra["site"] = self.site
        return extra

    def get_pass_change_view_kwargs(self, **kwargs):
        return super().get_pass_change_view_kwargs(form_class=PasswordChangeForm, **kwargs)

    def get_pass_reset_confirm_view_kwargs(self, **kwargs):
        return super().get_pass_reset_confirm_view_kwargs(form_class=SetPasswordForm, **kwargs)
