import { getVersion, previousChampionId, setAlias, versionIdOf } from '../db/model-registry';
import type { Pool } from '../db/pool';
import { DriftlineError } from '../errors';

export interface RollbackRequest {
  model: string;
  /** The version to restore; the champion before the current one when absent. */
  toVersion?: number;
  by: string;
  reason: string;
}

export interface RollbackResult {
  model: string;
  version: number;
  versionId: number;
  /** False when that version already was champion. */
  changed: boolean;
}

/** Makes an earlier version champion again, audited as a rollback: what the CLI and the dashboard both do. */
export async function rollbackChampion(pool: Pool, request: RollbackRequest): Promise<RollbackResult> {
  const { model } = request;
  const versionId = request.toVersion ? await versionIdOf(pool, model, request.toVersion) : await previousChampionId(pool, model);
  if (versionId === undefined) throw new DriftlineError('InvalidInput', `model "${model}" has no earlier champion to roll back to; name the version`);
  const { changed } = await setAlias(pool, 'champion', versionId, { actor: request.by, action: 'rollback', modelName: model, versionId, reason: request.reason, details: {} });
  const { version } = await getVersion(pool, versionId);
  return { model, version, versionId, changed };
}
