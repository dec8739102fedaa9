"""Full-page phone screenshots of every page the measuring tests visit (tests/e2e/pages.py: the card
in every state, the product page, the composer, "my gift", every tab of Orders & Cards, the
console's shipment pages), in English and in Chinese, into test-artifacts/screenshots/<lang>/.
Look at them. While at it, each page must load with a 200, break no CSP rule, and not scroll
sideways on a 390 px phone.
"""

from pathlib import Path

import pytest

from tests.e2e.pages import LANGUAGES, build_pages, open_page

pytestmark = [pytest.mark.e2e]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.mark.parametrize("language", LANGUAGES)
def test_screenshots_of_every_page_on_a_phone(transactional_db, live_server, new_phone, settings, language):
    settings.SITE_URL = live_server.url
    folder = SCREENSHOTS / language
    folder.mkdir(parents=True, exist_ok=True)
    context = new_phone()
    problems = []

    csp = []  # this page's CSP reports (the console listener is the context's, one for all pages)
    context.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)

    for page in build_pages():
        csp.clear()
        tab = open_page(context, live_server.url, page, language)
        tab.wait_for_load_state("networkidle")
        tab.screenshot(path=folder / f"{page.name}.png", full_page=True)
        wider = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if wider > 0:
            problems.append(f"{page.name}: the page is {wider} px wider than the phone")
        if csp:
            problems.append(f"{page.name}: CSP: {csp[0]}")
        tab.close()

    print(f"\nscreenshots in {folder}")
    assert not problems, "\n".join(problems)
