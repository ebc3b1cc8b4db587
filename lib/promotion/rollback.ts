import { getAliasedVersion, getVersion, previousChampionId, setAlias, versionIdOf, type ChampionRef } from '../db/model-registry';
import type { Pool } from '../db/pool';
import { DriftlineError } from '../errors';

export interface RollbackRequest {
  model: string;
  /** The version to restore; the champion before the current one when absent. */
  toVersion?: number;
  /** The champion the person means to replace (as shown to them); the champion when the rollback starts if absent. */
  expectedChampion?: number;
  by: string;
  reason: string;
}

export interface RollbackResult {
  model: string;
  version: number;
  versionId: number;
  /** The champion it replaced; null when there was none. */
  replaced: number | null;
  /** False when that version already was champion. */
  changed: boolean;
}

/**
 * Makes an earlier version champion again, audited as a rollback: what the CLI and the dashboard
 * both do. It replaces only the champion it expects: if another one was promoted meanwhile,
 * nothing changes and the error says so (rolling back "the previous champion" of a newer champion
 * is a different decision).
 */
export async function rollbackChampion(pool: Pool, request: RollbackRequest): Promise<RollbackResult> {
  const { model } = request;
  const champion = await getAliasedVersion(pool, model, 'champion');
  if (request.expectedChampion !== undefined && champion?.version !== request.expectedChampion) {
    throw moved(model, request.expectedChampion, champion?.version);
  }
  const versionId = request.toVersion ? await versionIdOf(pool, model, request.toVersion) : await previousChampionId(pool, model);
  if (versionId === undefined) throw new DriftlineError('InvalidInput', `model "${model}" has no earlier champion to roll back to; name the version`);
  const replaced: ChampionRef | null = champion ? { versionId: champion.id, version: champion.version } : null;
  const audit = { actor: request.by, action: 'rollback', modelName: model, versionId, reason: request.reason, details: { replaced } };
  const { changed, championMoved } = await setAlias(pool, 'champion', versionId, audit, champion?.id ?? null);
  if (championMoved) throw moved(model, champion?.version, championMoved.actual?.version);
  const { version } = await getVersion(pool, versionId);
  return { model, version, versionId, replaced: champion?.version ?? null, changed };
}

function moved(model: string, expected: number | undefined, actual: number | undefined): DriftlineError {
  const name = (version: number | undefined) => (version === undefined ? 'none' : `v${version}`);
  return new DriftlineError(
    'InvalidInput',
    `the champion of "${model}" moved: expected ${name(expected)}, now ${name(actual)}; nothing rolled back (look again and decide against the current champion)`,
  );
}
