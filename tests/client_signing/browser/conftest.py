"""The browser fixtures of tests/e2e (Debian's chromium, headless), in a package of their
own: the browser's package scope ends before the other client-signing tests, which sign
through asyncio.run (refused while Playwright's loop runs in the thread)."""

from tests.e2e.conftest import (  # noqa: F401
    browser,
    compiled_messages,
    demo_live,
    person,
    screenshots,
)
