"""axe-core (from npm: package.json, `make node`) on every page a shopper, a friend and a merchant
see: the card page in every state, the product page, the composer, the sender's "my gift" page,
every tab of Orders & Cards and the console's shipment pages, in English and in Chinese, on a
phone. No violation of impact "serious" or "critical" is allowed; each is printed with its rule,
its help page and the elements it was found on.

The site's CSP has no 'unsafe-inline' for scripts, and page.add_script_tag(path=...) inserts the
file's text as an inline <script>, which the CSP blocks (test_the_csp_blocks_an_inline_axe_so_axe_contexts_bypass_it
shows it). The axe contexts therefore bypass the CSP (browser.new_context(bypass_csp=True)); every other
browser test runs with it.
"""

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.pages import LANGUAGES, build_pages, check_states, open_page

pytestmark = [pytest.mark.e2e]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# Rules whose "needs review" answers are certain enough to block: an aria-describedby pointing at no
# element (a help text without its id), aria-label on an element with no role.
REVIEW_BLOCKING = ("aria-valid-attr-value", "aria-prohibited-attr")
# The WCAG 2.x A and AA rules and axe's best practices (landmarks, headings, duplicate ids).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


@pytest.fixture(scope="module")
def axe_path():
    if not AXE.exists():
        message = f"axe-core not installed at {AXE.relative_to(AXE.parents[2])}: run `make node` (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs npm (.ci/run): a missing axe there is a broken build
        pytest.skip(message + "; accessibility tests skipped")
    return AXE


@pytest.fixture
def axe_context(browser):
    contexts = []

    def open_context(bypass_csp=True):
        context = browser.new_context(**PHONE, bypass_csp=bypass_csp)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def run_axe(tab, axe_path):
    tab.add_script_tag(path=str(axe_path))
    return tab.evaluate("options => axe.run(document, options)", AXE_OPTIONS)


# axe cannot judge text on a gradient (its colour-contrast check says "needs review"), so this does,
# in the browser: every colour stop of a gradient behind visible text must reach WCAG AA against
# the text's colour (4.5:1, or 3:1 for large text), like axe's own rule does for a flat colour.
GRADIENT_CONTRAST = """() => {
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m); return (x + 0.05) / (y + 0.05); };
  const rgb = text => (text.match(/rgba?\\([^)]*\\)/g) || []).map(c => c.match(/[\\d.]+/g).slice(0, 3).map(Number));
  const found = [];
  const ownText = el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const backdrop = el => {  // the nearest element, el itself or above, that paints a background
    for (let at = el; at && at !== document.documentElement; at = at.parentElement) {
      const style = getComputedStyle(at);
      if (style.backgroundImage !== 'none' || !/rgba\\(.*, 0\\)|transparent/.test(style.backgroundColor)) return at;
    }
    return null;
  };
  for (const el of document.querySelectorAll('body *')) {
    if (!ownText(el) || el.closest('[disabled]') || !el.getClientRects().length) continue;
    const behind = backdrop(el);
    if (!behind || !getComputedStyle(behind).backgroundImage.includes('gradient')) continue;
    const style = getComputedStyle(el), image = getComputedStyle(behind).backgroundImage;
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const fg = rgb(style.color)[0];
    const worst = Math.min(...rgb(image).map(stop => ratio(fg, stop)));
    if (worst < needed) {
      found.push({target: el.tagName.toLowerCase() + (el.className ? '.' + [...el.classList].join('.') : ''),
                  text: el.innerText.trim().slice(0, 40), worst: Math.round(worst * 100) / 100, needed,
                  color: style.color, background: image});
    }
  }
  return found;
}"""


def gradient_violations(tab):
    found = tab.evaluate(GRADIENT_CONTRAST)
    if not found:
        return []
    return [{
        "id": "gradient-contrast", "impact": "serious",
        "help": "Text on a gradient must meet the minimum contrast at every colour stop",
        "helpUrl": "https://dequeuniversity.com/rules/axe/4.14/color-contrast",
        "nodes": [{"target": [f["target"]], "html": f["text"],
                   "failureSummary": f"worst contrast {f['worst']}:1 (needs {f['needed']}:1): "
                                     f"{f['color']} on {f['background']}"} for f in found],
    }]


def describe(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"      at {' '.join(node['target'])}")
            lines.append(f"         {node['html'][:160]}")
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"         {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"      ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def test_the_csp_blocks_an_inline_axe_so_axe_contexts_bypass_it(transactional_db, live_server, axe_context, axe_path):
    pages = build_pages()
    product = next(p for p in pages if p.name == "product")

    strict = open_page(axe_context(bypass_csp=False), live_server.url, product, "en")
    blocked = []
    strict.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    try:
        strict.add_script_tag(path=str(axe_path))
    except Exception:  # noqa: BLE001, S110 - Playwright raises when the tag's script never ran
        pass
    assert strict.evaluate("typeof window.axe") == "undefined"
    assert blocked, "the CSP said nothing about the inline axe"

    relaxed = open_page(axe_context(), live_server.url, product, "en")
    relaxed.add_script_tag(path=str(axe_path))
    assert relaxed.evaluate("typeof window.axe.run") == "function"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_no_serious_or_critical_axe_violations(
    transactional_db, live_server, axe_context, axe_path, artifacts, settings, language
):
    settings.SITE_URL = live_server.url
    pages = build_pages()
    check_states(pages)
    context = axe_context()
    failures, summary = [], []

    for page in pages:
        tab = open_page(context, live_server.url, page, language)
        assert tab.evaluate("document.documentElement.lang") == language, f"{page.name}: <html lang> is wrong"
        result = run_axe(tab, axe_path)
        blocking = [v for v in result["violations"] if v["impact"] in BLOCKING] + gradient_violations(tab)
        blocking += [v for v in result["incomplete"] if v["id"] in REVIEW_BLOCKING and v["impact"] in BLOCKING]
        others = [v for v in result["violations"] if v["impact"] not in BLOCKING]
        review = sorted({v["id"] for v in result["incomplete"]})
        summary.append(f"{page.name:18} {len(blocking)} serious/critical, {len(others)} minor/moderate "
                       f"({', '.join(sorted(v['id'] for v in others)) or '-'}); to review: {', '.join(review) or '-'}")
        if os.environ.get("AXE_REVIEW"):  # AXE_REVIEW=1: print what axe could not decide, too
            print(f"\n{page.name} ({language}), to review:\n" + describe(result["incomplete"]))
        if blocking:
            tab.screenshot(path=artifacts / f"axe-{language}-{page.name}.png", full_page=True)
            failures.append(f"{page.name} ({page.path}, as {getattr(page.user, 'username', 'a visitor')}):\n"
                            + describe(blocking))
        tab.close()

    print(f"\naxe-core on {len(pages)} pages in {language}:\n  " + "\n  ".join(summary))
    assert not failures, f"serious or critical axe violations in {language}:\n" + "\n".join(failures)
