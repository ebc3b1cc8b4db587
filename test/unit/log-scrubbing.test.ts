import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../lib/config';
import { createLogger } from '../../workers/logger';

describe('structured logs', () => {
  it('scrub every configured secret from every line, however it got there', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:p%40ss-w0rd@db:5432/driftline',
      DRIFTLINE_WEBHOOK_URL: 'https://hooks.example.test/services/T000/B000/XYZSECRET',
      TEMPORAL_API_KEY: 'tmprl-api-key-42',
    });
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => void (lines.push(chunk.toString()), done()) });
    const log = createLogger(secretsOf(config), sink);
    log.error({ url: config.DRIFTLINE_WEBHOOK_URL, key: config.TEMPORAL_API_KEY }, `connect to ${config.DATABASE_URL} failed (password p@ss-w0rd)`);
    const line = lines.join('');
    expect(JSON.parse(line)).toMatchObject({ level: 50 });
    for (const secret of ['p%40ss-w0rd', 'p@ss-w0rd', 'XYZSECRET', 'tmprl-api-key-42']) expect(line).not.toContain(secret);
    expect(line).toContain('***');
  });
});
