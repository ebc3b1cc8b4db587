import { Client, Connection } from '@temporalio/client';
import type { DriftlineConfig } from '../../lib/config';
import { temporalConnectionSettings } from '../../lib/temporal-connection';

export async function connectClient(config: DriftlineConfig): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionSettings(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

/** The run's page in the Temporal Web UI. */
export function workflowUiLink(config: DriftlineConfig, workflowId: string, runId?: string): string {
  const base = `${config.TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}
