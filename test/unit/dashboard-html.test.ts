import { describe, expect, it } from 'vitest';
import { alertsOf } from '../../lib/dashboard/alerts';
import { chartValue, formatNumber, formatValue } from '../../lib/dashboard/format';
import { html, jsonBlock } from '../../lib/dashboard/html';
import type { ModelOverview } from '../../lib/db/dashboard/overview-queries';

describe('dashboard HTML', () => {
  it('escapes every interpolated value, in text and attributes, but not nested html', () => {
    const name = `<script>alert("x")</script>&'`;
    const out = html`<td title="${name}">${name}${html`<b>${name}</b>`}</td>`.value;
    expect(out).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</b></td>',
    );
  });

  it('keeps chart data from closing its script block', () => {
    const out = jsonBlock('d', { category: '</script><script>alert(1)</script>' }).value;
    expect(out.match(/<\/script>/g)).toHaveLength(1);
    expect(JSON.parse(out.slice(out.indexOf('>') + 1, out.lastIndexOf('</script>')))).toEqual({ category: '</script><script>alert(1)</script>' });
  });
});

describe('what stands out on the overview', () => {
  const calm: ModelOverview = {
    model: 'm',
    pipeline: 'p',
    champion: { version: 3, metrics: { rmse: 1 } },
    latest: { version: 3, metrics: { rmse: 1 }, createdAt: new Date(0) },
    pendingApproval: null,
    latestRun: { outcome: 'succeeded', finishedAt: new Date(0), durationMs: 10, normMs: 100 },
    latestDrift: { id: 1, verdict: 'warn', accuracyDecayed: false, createdAt: new Date(0) },
    latestEvaluation: { version: 3, passed: true },
    worstDrift: { id: 1, verdict: 'warn', createdAt: new Date(0), checksSince: 1 },
    acknowledged: null,
    flags: { retrainedOnDrift: null, rolledBack: null, validationFailed: null },
  };

  it('nothing for a healthy model; a warn verdict alone is not an alarm', () => {
    expect(alertsOf(calm)).toEqual([]);
  });

  it('a candidate that did not beat the champion is no alert: keeping the champion is an ordinary outcome', () => {
    expect(alertsOf({ ...calm, latest: { version: 4, metrics: { rmse: 2 }, createdAt: new Date(0) }, latestEvaluation: { version: 4, passed: false } })).toEqual([]);
  });

  it('each abnormal state, each linking to the page that explains it', () => {
    const troubled: ModelOverview = {
      ...calm,
      pendingApproval: { count: 2, nextDeadline: new Date(0) },
      latestRun: { ...(calm.latestRun as NonNullable<ModelOverview['latestRun']>), outcome: 'cancelled_over_norm' },
      latestDrift: { id: 2, verdict: 'ok', accuracyDecayed: true, createdAt: new Date(0) },
      // The latest check is calm, but a failing one came since the last acknowledged look.
      worstDrift: { id: 1, verdict: 'fail', createdAt: new Date(0), checksSince: 2 },
      flags: { retrainedOnDrift: { version: 4, driftReportId: 1 }, rolledBack: { version: 3, by: 'ana', at: new Date(0) }, validationFailed: { snapshotId: 7, at: new Date(0) } },
    };
    expect(alertsOf(troubled).map((a) => [a.kind, a.href])).toEqual([
      ['drift', '/pipelines/p/drift/1'],
      ['accuracy-decay', '/pipelines/p/drift/2'],
      ['retrained-on-drift', '/pipelines/p/drift/1'],
      ['rolled-back', '/models/m#decisions'],
      ['validation-failed', '/snapshots/7#validation'],
      ['over-norm', '/models/m/runs'],
      ['pending-approval', '/models/m'],
    ]);
  });
});

describe('how the dashboard writes numbers', () => {
  const digits = (text: string) => text.replace(/[^0-9]/g, '').replace(/^0+/, '').replace(/0+$/, '').length;

  it('gate values with three significant digits, close to the value, whatever its magnitude', () => {
    for (const value of [19.70951167422945, 0.0512345678, 3.14159265, 999.96, -42.4242424]) {
      const text = formatNumber(value);
      expect(digits(text), text).toBeLessThanOrEqual(3);
      expect(Math.abs(Number(text) - value) / Math.abs(value)).toBeLessThan(0.005);
    }
    // Large whole numbers keep every digit, grouped: they are counts, not estimates.
    expect(Number(formatNumber(137_412.6).replaceAll(',', ''))).toBe(137_413);
  });

  it('never prints NaN, and draws no NaN or infinity on a chart', () => {
    for (const value of [Number.NaN, null, undefined]) expect(formatNumber(value)).not.toMatch(/N/);
    expect([Number.NaN, Number.POSITIVE_INFINITY, 2].map(chartValue)).toEqual([null, null, 2]);
  });

  it('timestamps as dates, never as milliseconds since the epoch', () => {
    const midnight = Date.UTC(2023, 10, 14);
    expect(formatValue(midnight, 'timestamp')).toBe(new Date(midnight).toISOString().slice(0, 10));
    expect(formatValue(midnight + 90 * 60_000, 'timestamp')).toMatch(/^2023-11-14 01:30 UTC$/);
    expect(formatValue(midnight, 'timestamp')).not.toMatch(/e\+/);
  });
});
