import { describe, expect, it } from 'vitest';
import { driftNotification, linkDriftReport } from '../../lib/drift/drift-notification';
import type { DriftSummary } from '../../lib/drift/drift-summary';
import type { NewNotification } from '../../lib/db/notifications';

const drift: DriftSummary = {
  verdict: 'fail',
  reportId: 42,
  reasons: ['2 of 8 columns drifted'],
  currentSnapshotId: 7,
  referenceSnapshotIds: [3],
  championVersion: 2,
  columnsTested: 8,
  columnsDrifted: 2,
  drifted: [{ column: 'nonfarm', method: 'ks', score: 0 }],
  annotations: [],
};
const alert = driftNotification({ pipeline: 'us-employment', model: 'm', workflowId: 'w' }, drift, { retrain: true, notify: 'critical', why: 'data drifted' }) as NewNotification;

describe('a drift alert names its report by a shareable address', () => {
  it('links the report page on the configured dashboard instead of a CLI command', () => {
    const linked = linkDriftReport(alert, 'https://driftline.example.com/');
    expect(linked.body).toContain('Report #42: https://driftline.example.com/pipelines/us-employment/drift/42.');
    expect(linked.body).not.toContain('driftline drift --pipeline');
    expect(linked.details.reportUrl).toBe('https://driftline.example.com/pipelines/us-employment/drift/42');
    expect(linked.dedupeKey).toBe(alert.dedupeKey);
  });

  it('keeps the CLI command when no dashboard address is configured', () => {
    expect(linkDriftReport(alert, undefined)).toBe(alert);
    expect(alert.body).toContain('Report #42: driftline drift --pipeline us-employment --report 42.');
  });

  it('leaves other notifications alone', () => {
    const other: NewNotification = { ...alert, dedupeKey: 'norm:x', body: 'Report #42: driftline drift --pipeline us-employment --report 42.' };
    expect(linkDriftReport(other, 'https://driftline.example.com')).toBe(other);
  });
});
