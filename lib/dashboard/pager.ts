import type { Page } from '../db/dashboard/page';
import { html, type SafeHtml } from './html';

/** Newer / older links under a list; `href` builds the link to another page of the same list. */
export function pager(page: Page<unknown>, href: (page: number) => string): SafeHtml {
  if (page.page === 1 && !page.hasNext) return html``;
  return html`<nav class="pager">
${page.page > 1 ? html`<a rel="prev" href="${href(page.page - 1)}">← newer</a>` : html`<span>← newer</span>`}
<span>page ${page.page}</span>
${page.hasNext ? html`<a rel="next" href="${href(page.page + 1)}">older →</a>` : html`<span>older →</span>`}
</nav>`;
}
