import { readFileSync } from 'node:fs';
import type { DriftlineConfig } from './config';
import { ConfigError } from './config';

/** TLS settings in the shape both the client and the worker connections take. */
export interface TlsSettings {
  clientCertPair?: { crt: Buffer; key: Buffer };
  serverRootCACertificate?: Buffer;
  serverNameOverride?: string;
}

export interface TemporalConnectionSettings {
  address: string;
  tls?: TlsSettings | boolean;
  apiKey?: string;
}

/**
 * How to reach Temporal: plain for a local dev server; TLS with a client certificate for a
 * self-hosted cluster; TLS with an API key for Temporal Cloud. Unreadable files fail at start.
 */
export function temporalConnectionSettings(config: DriftlineConfig): TemporalConnectionSettings {
  const tlsFiles = config.TEMPORAL_TLS_CLIENT_CERT_PATH || config.TEMPORAL_TLS_SERVER_CA_CERT_PATH;
  const wantsTls = config.TEMPORAL_TLS === 'true' || Boolean(tlsFiles) || (config.TEMPORAL_API_KEY !== undefined && config.TEMPORAL_TLS !== 'false');
  const settings: TemporalConnectionSettings = { address: config.TEMPORAL_ADDRESS };
  if (config.TEMPORAL_API_KEY) settings.apiKey = config.TEMPORAL_API_KEY;
  if (!wantsTls) return settings;
  const tls: TlsSettings = {};
  if (config.TEMPORAL_TLS_CLIENT_CERT_PATH && config.TEMPORAL_TLS_CLIENT_KEY_PATH) {
    tls.clientCertPair = {
      crt: readSetting('TEMPORAL_TLS_CLIENT_CERT_PATH', config.TEMPORAL_TLS_CLIENT_CERT_PATH),
      key: readSetting('TEMPORAL_TLS_CLIENT_KEY_PATH', config.TEMPORAL_TLS_CLIENT_KEY_PATH),
    };
  }
  if (config.TEMPORAL_TLS_SERVER_CA_CERT_PATH) tls.serverRootCACertificate = readSetting('TEMPORAL_TLS_SERVER_CA_CERT_PATH', config.TEMPORAL_TLS_SERVER_CA_CERT_PATH);
  if (config.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
  settings.tls = Object.keys(tls).length > 0 ? tls : true;
  return settings;
}

function readSetting(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
}
