import { html, type SafeHtml } from './html';

export interface Crumb {
  label: string;
  href?: string;
}

/** The page shell: stylesheet, chart library and the small chart script, all served from /assets. */
export function layout(title: string, crumbs: Crumb[], body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Driftline</title>
<link rel="stylesheet" href="/assets/uPlot.min.css">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/uPlot.iife.min.js" defer></script>
<script src="/assets/charts.js" defer></script>
</head>
<body>
<header><a class="brand" href="/">Driftline</a><nav>${crumbs.map((c) => html` › ${c.href ? html`<a href="${c.href}">${c.label}</a>` : html`<span>${c.label}</span>`}`)}</nav></header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** A path segment for a link: names are free text, so they are percent-encoded (and then HTML-escaped by `html`). */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}
