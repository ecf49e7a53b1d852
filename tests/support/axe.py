"""axe-core in the browser tests: `await assert_accessible(page, what)` fails the test on any
violation axe finds on the page as it stands (every rule axe runs by default: WCAG 2.x A and AA
and its best practices).

axe-core is an npm package pinned in package-lock.json (`scripts/setup` installs it). Its
source is evaluated in the page through the DevTools protocol, which the page's
Content-Security-Policy does not govern, so the pages keep their strict policy (no inline
script, no eval) and are checked exactly as they are served; `csp_still_blocks_inline_scripts`
lets a test show that.

Call it on every page and state that matters: a page being added (a console, a screen view, a
family or model page) calls it in its own browser test once the page is ready.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Runs axe on the whole document and keeps what a failure message needs.
_RUN = """async () => {
  const results = await window.axe.run(document, { resultTypes: ['violations'] })
  return results.violations.map(violation => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map(node => ({
      target: node.target.join(' '),
      html: node.html.slice(0, 200),
      summary: node.failureSummary
    }))
  }))
}"""


@cache
def _source() -> str:
    if not AXE_SOURCE.exists():
        raise AssertionError(f"no axe-core at {AXE_SOURCE}: run scripts/setup (npm ci)")
    # Evaluated as an expression: the trailing value keeps Playwright from taking the
    # source for a function to call.
    return AXE_SOURCE.read_text(encoding="utf-8") + "\n;true"


async def _inject(page: Page) -> None:
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(_source())


async def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page now: id, impact, help and the nodes at fault."""
    await _inject(page)
    found: list[dict[str, Any]] = await page.evaluate(_RUN)
    return found


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"  {node['target']}: {node['html']}")
            lines.append("    " + " ".join(str(node["summary"]).split()))
        if len(violation["nodes"]) > 5:
            lines.append(f"  ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


async def assert_accessible(page: Page, what: str) -> None:
    """Fail, naming `what` (the page and its state) and every violation, unless axe finds
    none."""
    found = await violations(page)
    assert not found, f"axe-core on {what} ({page.url}):\n{describe(found)}"


async def csp_still_blocks_inline_scripts(page: Page) -> bool:
    """Whether the page's policy still refuses an inline script, after axe was injected."""
    return bool(
        await page.evaluate(
            """() => {
              window.__inlineRan = false
              const script = document.createElement('script')
              script.textContent = 'window.__inlineRan = true'
              document.head.append(script)
              script.remove()
              return window.__inlineRan === false
            }"""
        )
    )
