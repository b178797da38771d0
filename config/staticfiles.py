"""Static files as `collectstatic` publishes them.

viewflow's wheel ships two trees no page of ours loads, left out of the collection:

- `node_modules/` folders, leftover npm copies of files viewflow also ships where its pages
  load them. One is broken: `viewflow/fonts/roboto/node_modules/.../roboto-fontface.css` names
  fonts beside it that live in a sibling folder instead, and production's manifest storage
  (hashed names, whitenoise) refuses such a stylesheet, so collectstatic failed. viewflow's
  pages load `viewflow/fonts/roboto/roboto-fontface.css`, whose fonts are all present.
- `viewflow/js/contrib/dash/`, Plotly Dash for viewflow.contrib.plotly (not installed here):
  22 of viewflow's 28 MB, which whitenoise would spend minutes compressing.

Patterns on a file's full path, so no other folder of the same name is affected. A finder
rather than a StaticFilesConfig subclass: tools look for "django.contrib.staticfiles" by name
in INSTALLED_APPS (pytest-django's live server serves the apps' static files only then).
"""

from django.contrib.staticfiles import finders

NOT_PUBLISHED = [
    "viewflow/*/node_modules/*",
    "viewflow/js/contrib/dash/*",
]


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's finder of each app's static/ folder, minus the trees above."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *NOT_PUBLISHED])
