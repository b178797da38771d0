"""Every Vietnamese string of ours has its English, and every catalogue compiles."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# Independent of the test database's backend: CI runs it in the SQLite pass only.
pytestmark = pytest.mark.once

BASE = Path(settings.BASE_DIR)
CODE = ("approvals", "documents", "config", "templates")


@pytest.fixture(scope="module")
def gettext_tools():
    for tool in ("xgettext", "msgmerge", "msgattrib", "msgfmt"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing: apt-get install gettext")


def run(tool: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """One of gettext's tools (or Python), by its full path; our own arguments only."""
    executable = sys.executable if tool == "python" else shutil.which(tool)
    assert executable, tool
    return subprocess.run([executable, *args], check=True, **kwargs)  # noqa: S603


def test_each_catalogue_is_well_formed(gettext_tools):
    catalogues = sorted((BASE / "locale").glob("*/LC_MESSAGES/*.po"))
    assert len(catalogues) >= 3
    for po in catalogues:
        run("msgfmt", "--check", "-o", os.devnull, str(po))


def test_every_vietnamese_msgid_of_ours_has_english(gettext_tools, tmp_path):
    # makemessages on a copy, so the working tree is never touched.
    for name in CODE:
        shutil.copytree(BASE / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(BASE / "manage.py", tmp_path / "manage.py")
    english = tmp_path / "locale" / "en" / "LC_MESSAGES"
    english.mkdir(parents=True)
    shutil.copy(BASE / "locale" / "en" / "LC_MESSAGES" / "django.po", english / "django.po")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("PYTHONPATH", None)
    run(
        "python",
        "manage.py",
        "makemessages",
        "-l",
        "en",
        "-i",
        "*/migrations/*",
        "--no-obsolete",
        "-v0",
        cwd=tmp_path,
        env=env,
    )
    untranslated = run(
        "msgattrib",
        "--untranslated",
        "--no-wrap",
        str(english / "django.po"),
        capture_output=True,
        text=True,
    ).stdout
    fuzzy = run(
        "msgattrib",
        "--only-fuzzy",
        "--no-wrap",
        str(english / "django.po"),
        capture_output=True,
        text=True,
    ).stdout
    vietnamese = [
        line
        for line in (untranslated + fuzzy).splitlines()
        if line.startswith("msgid ") and re.search(r"[^\x00-\x7f]", line)
    ]
    assert vietnamese == [], "\n".join(vietnamese)
