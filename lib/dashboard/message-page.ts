import { html, type SafeHtml } from './html';
import { layout } from './layout';

/** The answer to an action or a bad request: what happened, and where to go next. */
export function messagePage(title: string, message: string, back?: { label: string; href: string }): SafeHtml {
  return layout(title, [], html`<p class="message">${message}</p>${back ? html`<p><a href="${back.href}">${back.label}</a></p>` : ''}`);
}
