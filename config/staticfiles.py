"""Static files as `collectstatic` publishes them.

viewflow's wheel ships two trees no page of ours loads, left out of the collection:

- `node_modules/` folders, leftover npm copies of files viewflow also ships where its pages
  load them. One is broken: `viewflow/fonts/roboto/node_modules/.../roboto-fontface.css` names
  fonts beside it that live in a sibling folder instead, and production's manifest storage
  (hashed names, whitenoise) refuses such a stylesheet, so collectstatic failed. viewflow's
  pages load `viewflow/fonts/roboto/roboto-fontface.css`, whose fonts are all present.
- `viewflow/js/contrib/dash/`, Plotly Dash for viewflow.contrib.plotly (not installed here):
  22 of viewflow's 28 MB, which whitenoise would spend minutes compressing.

Patterns on a file's full path, so no other folder of the same name is affected.
"""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    ignore_patterns = [
        *DjangoStaticFilesConfig.ignore_patterns,
        "viewflow/*/node_modules/*",
        "viewflow/js/contrib/dash/*",
    ]
