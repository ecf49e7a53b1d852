"""What the browser tests do on a workshop page: find an editor, type into it, read it, and
read what the server stored."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from tests.support.api import ApiClient
from tests.support.conditions import wait_for
from tests.support.server import ServerProcess


def editor(page: Page, field: str) -> Any:
    return page.locator(f'.cm-content[data-field="{field}"]')


# Every text node and every name given to assistive technology, hidden ones included.
PAGE_WORDS = """() => {
  const texts = [document.title]
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  while (walker.nextNode()) {
    const node = walker.currentNode
    if (node.parentElement.closest('script, style, noscript')) continue
    if (node.textContent.trim()) texts.push(node.textContent)
  }
  for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
    for (const element of document.querySelectorAll(`[${name}]`)) {
      texts.push(element.getAttribute(name))
    }
  }
  return texts
}"""

# The editor's text as its lines hold it, without the carets (and names) of remote peers.
TEXT_WITHOUT_CARETS = """node => {
    const copy = node.cloneNode(true)
    copy.querySelectorAll('.cm-ySelectionCaret').forEach(caret => caret.remove())
    return [...copy.querySelectorAll('.cm-line')].map(line => line.textContent).join('\\n')
}"""


async def shows(page: Page, field: str, text: str) -> None:
    """Wait until the page's editor of `field` holds exactly `text`."""

    async def holds() -> bool:
        return bool(await editor(page, field).evaluate(TEXT_WITHOUT_CARETS) == text)

    await wait_for(holds, timeout=15, what=f"{text!r} in {field} on {page.url}")


async def stored(server: ServerProcess, workshop_id: str, token: str) -> dict[str, Any]:
    async with ApiClient(server.http_url) as api:
        export = await api.get(f"/api/workshops/{workshop_id}/export.json", token=token)
    content: dict[str, Any] = export.json()["content"]
    return content


async def type_at_end(page: Page, field: str, words: str) -> None:
    await editor(page, field).click()
    await page.keyboard.press("Control+End")
    await page.keyboard.type(words)


async def select_in(page: Page, field: str, start: int, length: int) -> None:
    """Select characters by keyboard alone, as a reader without a mouse would."""
    await editor(page, field).focus()
    await page.keyboard.press("Control+Home")
    for _ in range(start):
        await page.keyboard.press("ArrowRight")
    for _ in range(length):
        await page.keyboard.press("Shift+ArrowRight")


async def texts_are(locator: Any, expected: list[str]) -> bool:
    texts = await locator.evaluate_all(f"nodes => nodes.map({TEXT_WITHOUT_CARETS})")
    return bool(texts == expected)
