import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config';
import { temporalConnectionSettings } from '../../lib/temporal-connection';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-tls-'));
const file = (name: string, text: string) => {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
};

describe('connecting to a Temporal cluster', () => {
  it('stays plain for a local dev server', () => {
    expect(temporalConnectionSettings(loadConfig({}))).toEqual({ address: '127.0.0.1:7233' });
  });

  it('reads the client certificate pair, the CA and the server name for mTLS', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem', 'CERT'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key', 'KEY'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem', 'CA'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal',
    });
    const settings = temporalConnectionSettings(config);
    expect(settings.tls).toEqual({
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
      serverRootCACertificate: Buffer.from('CA'),
      serverNameOverride: 'temporal',
    });
  });

  it('turns TLS on with an API key (Temporal Cloud) unless told not to', () => {
    expect(temporalConnectionSettings(loadConfig({ TEMPORAL_API_KEY: 'key-123' }))).toEqual({ address: '127.0.0.1:7233', apiKey: 'key-123', tls: true });
    expect(temporalConnectionSettings(loadConfig({ TEMPORAL_API_KEY: 'key-123', TEMPORAL_TLS: 'false' })).tls).toBeUndefined();
  });

  it('refuses half a certificate pair and unreadable files, naming the variable', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CLIENT_CERT_PATH: file('only.pem', 'CERT') })).toThrow(/TEMPORAL_TLS_CLIENT_KEY_PATH: set both/);
    const config = loadConfig({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'missing.pem') });
    expect(() => temporalConnectionSettings(config)).toThrow(ConfigError);
    expect(() => temporalConnectionSettings(config)).toThrow(/TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read .*missing\.pem \(ENOENT\)/);
  });
});
