import { DataWindow } from '../arrival/pipeline-data';
import type { DriftMethod } from '../drift/drift-methods';
import type { BaselineSummary } from '../evaluation/baselines';
import type { Metrics } from '../model/metrics';
import { featureNames } from '../model/features';
import type { ModelArtifact, ModelFit } from '../model/model-artifact';
import { DriftlineError } from '../errors';
import { inTransaction, type DbClient, type Pool } from './pool';

export interface NewModelVersion {
  modelName: string;
  pipeline: string;
  runKey: string;
  trainer: string;
  params: Record<string, unknown>;
  artifact: ModelArtifact;
  artifactDigest: string;
  trainingSnapshotIds: number[];
  /** Exactly which rows of the pipeline's data the version learned from. */
  trainingWindow: DataWindow;
  /** The drift method of each column, chosen on the training data: later checks keep using it. */
  driftMethods: Record<string, DriftMethod>;
  codeVersion: string;
  trainerDigest: string;
  metrics: Metrics;
  /** The fit that was scored, when the version was refitted after scoring (else `artifact` is the fit that was scored). */
  evaluatedArtifact?: ModelArtifact;
  fits: VersionFits;
}

/** What each fit of a version learned from; `refit` is absent when the evaluated fit is the version. */
export interface VersionFits {
  evaluated: ModelFit & { artifactDigest: string };
  refit?: ModelFit & { artifactDigest: string };
}

export interface ModelVersion {
  id: number;
  modelName: string;
  version: number;
  artifact: ModelArtifact;
  artifactDigest: string;
  metrics: Metrics;
  trainingSnapshotIds: number[];
  params: Record<string, unknown>;
  /** The fit its holdout metrics come from; the same as `artifact` unless the version was refitted. */
  evaluatedArtifact: ModelArtifact;
  /** Absent for versions registered before fits were recorded. */
  fits?: VersionFits;
  /** Absent for versions registered before windows were recorded. */
  trainingWindow?: DataWindow;
  driftMethods?: Record<string, DriftMethod>;
}

/**
 * Registers a trained version as the next number of its model. A retry with the same run key
 * returns the version it already made, so a worker crash never leaves two versions for one run.
 */
export async function registerVersion(
  pool: Pool,
  v: NewModelVersion,
  /** Runs under the model's lock before anything is written; throwing refuses the registration (see fenceRegistration). */
  guard?: (client: DbClient) => Promise<void>,
): Promise<ModelVersion & { created: boolean }> {
  return inTransaction(pool, async (client) => {
    await ensureModel(client, v.modelName, v.pipeline);
    // Serializes version numbering per model.
    await client.query('SELECT 1 FROM models WHERE name = $1 FOR UPDATE', [v.modelName]);
    await guard?.(client);
    const existing = await selectVersion(client, 'model_name = $1 AND run_key = $2', [v.modelName, v.runKey]);
    if (existing) return { ...existing, created: false };
    const inserted = await client.query<{ id: string; version: number }>(
      `INSERT INTO model_versions (model_name, version, run_key, trainer, params, features, artifact, artifact_digest,
                                   training_snapshot_ids, code_version, trainer_digest, metrics, training_window, drift_methods,
                                   evaluated_artifact, fits)
       SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15
       FROM model_versions WHERE model_name = $1
       RETURNING id, version`,
      [
        v.modelName,
        v.runKey,
        v.trainer,
        JSON.stringify(v.params),
        JSON.stringify(featureNames(v.artifact.plan)),
        JSON.stringify(v.artifact),
        v.artifactDigest,
        v.trainingSnapshotIds,
        v.codeVersion,
        v.trainerDigest,
        JSON.stringify(v.metrics),
        JSON.stringify(v.trainingWindow),
        JSON.stringify(v.driftMethods),
        v.evaluatedArtifact ? JSON.stringify(v.evaluatedArtifact) : null,
        JSON.stringify(v.fits),
      ],
    );
    const row = inserted.rows[0] as { id: string; version: number };
    return {
      id: Number(row.id),
      modelName: v.modelName,
      version: row.version,
      artifact: v.artifact,
      artifactDigest: v.artifactDigest,
      metrics: v.metrics,
      trainingSnapshotIds: v.trainingSnapshotIds,
      params: v.params,
      evaluatedArtifact: v.evaluatedArtifact ?? v.artifact,
      fits: v.fits,
      trainingWindow: v.trainingWindow,
      driftMethods: v.driftMethods,
      created: true,
    };
  });
}

/** Registers the model name on first use; everything else about a model refers to this row. */
export async function ensureModel(client: DbClient | Pool, modelName: string, pipeline: string): Promise<void> {
  await client.query('INSERT INTO models (name, pipeline) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [modelName, pipeline]);
}

export async function getVersion(pool: Pool, versionId: number): Promise<ModelVersion> {
  const client = await pool.connect();
  try {
    const version = await selectVersion(client, 'id = $1', [versionId]);
    if (!version) throw new Error(`model version ${versionId} does not exist`);
    return version;
  } finally {
    client.release();
  }
}

/** The version an alias points at, or undefined when the model has none under that alias yet. */
export async function getAliasedVersion(pool: Pool, modelName: string, alias: string): Promise<ModelVersion | undefined> {
  const client = await pool.connect();
  try {
    return await selectVersion(
      client,
      'id = (SELECT version_id FROM model_aliases WHERE model_name = $1 AND alias = $2)',
      [modelName, alias],
    );
  } finally {
    client.release();
  }
}

export interface AuditEntry {
  actor: string;
  action: string;
  modelName: string;
  versionId?: number;
  reason: string;
  details: Record<string, unknown>;
}

/** A model's champion as a decision names it. */
export interface ChampionRef {
  versionId: number;
  version: number;
}

/** The champion a decision was judged against (`null`: there was none) and the one in place when it was to be written. */
export interface ChampionMove {
  expected: number | null;
  actual: ChampionRef | null;
}

/**
 * A decision about a version, judged against a champion (`expectedChampionId`; `null`: no champion),
 * is written only while that champion is still in place; `undefined` writes it whatever the champion.
 */
export type AliasChange = { changed: boolean; championMoved?: undefined } | { changed: false; championMoved: ChampionMove };

/**
 * Points `alias` at a version and writes the audit entry in one transaction, if the champion is
 * still `expectedChampionId` (a compare-and-set: otherwise nothing is written and the move is
 * returned). Repeating the same switch (an activity retry) changes nothing and writes no second
 * entry. A version that becomes champion stops being challenger.
 */
export async function setAlias(pool: Pool, alias: string, versionId: number, audit: AuditEntry, expectedChampionId?: number | null): Promise<AliasChange> {
  return inTransaction(pool, async (client) => {
    const owner = await client.query<{ model_name: string }>('SELECT model_name FROM model_versions WHERE id = $1', [versionId]);
    if (owner.rows[0]?.model_name !== audit.modelName) {
      throw new DriftlineError('InvalidInput', `version id ${versionId} is not a version of model "${audit.modelName}"`);
    }
    const champion = await lockChampion(client, audit.modelName);
    const current = await client.query<{ version_id: string }>('SELECT version_id FROM model_aliases WHERE model_name = $1 AND alias = $2', [audit.modelName, alias]);
    if (current.rows[0] && Number(current.rows[0].version_id) === versionId) return { changed: false };
    const moved = championMove(champion, expectedChampionId);
    if (moved) return { changed: false, championMoved: moved };
    await client.query(
      `INSERT INTO model_aliases (model_name, alias, version_id) VALUES ($1, $2, $3)
       ON CONFLICT (model_name, alias) DO UPDATE SET version_id = EXCLUDED.version_id, updated_at = now()`,
      [audit.modelName, alias, versionId],
    );
    if (alias === 'champion') {
      await client.query("DELETE FROM model_aliases WHERE model_name = $1 AND alias = 'challenger' AND version_id = $2", [audit.modelName, versionId]);
    }
    await appendAudit(client, audit);
    return { changed: true };
  });
}

/**
 * Removes `alias` if it still points at this version (a rejected challenger), auditing why, if the
 * champion is still `expectedChampionId` (see setAlias); otherwise writes nothing and returns the move.
 */
export async function clearAlias(pool: Pool, alias: string, versionId: number, audit: AuditEntry, expectedChampionId?: number | null): Promise<{ championMoved?: ChampionMove }> {
  return inTransaction(pool, async (client) => {
    const moved = championMove(await lockChampion(client, audit.modelName), expectedChampionId);
    if (moved) return { championMoved: moved };
    await client.query('DELETE FROM model_aliases WHERE model_name = $1 AND alias = $2 AND version_id = $3', [audit.modelName, alias, versionId]);
    await appendAudit(client, audit);
    return {};
  });
}

/**
 * Locks the model's row, so alias changes of one model happen one at a time (a `FOR UPDATE` on the
 * alias row alone locks nothing while there is no champion yet), and reads its champion.
 */
async function lockChampion(client: DbClient, modelName: string): Promise<ChampionRef | null> {
  await client.query('SELECT 1 FROM models WHERE name = $1 FOR UPDATE', [modelName]);
  const result = await client.query<{ version_id: string; version: number }>(
    `SELECT a.version_id, v.version FROM model_aliases a JOIN model_versions v ON v.id = a.version_id
     WHERE a.model_name = $1 AND a.alias = 'champion'`,
    [modelName],
  );
  const row = result.rows[0];
  return row ? { versionId: Number(row.version_id), version: row.version } : null;
}

function championMove(actual: ChampionRef | null, expected: number | null | undefined): ChampionMove | undefined {
  if (expected === undefined || (actual?.versionId ?? null) === expected) return undefined;
  return { expected, actual };
}

/** The version that was champion before the current one, from the audit log: what a rollback restores by default. */
export async function previousChampionId(pool: Pool, modelName: string): Promise<number | undefined> {
  const result = await pool.query<{ version_id: string }>(
    `SELECT version_id FROM audit_log
     WHERE model_name = $1 AND action IN ('promote', 'rollback') AND version_id IS NOT NULL
     ORDER BY at DESC, id DESC OFFSET 1 LIMIT 1`,
    [modelName],
  );
  return result.rows[0] ? Number(result.rows[0].version_id) : undefined;
}

export async function versionIdOf(pool: Pool, modelName: string, version: number): Promise<number> {
  const result = await pool.query<{ id: string }>('SELECT id FROM model_versions WHERE model_name = $1 AND version = $2', [modelName, version]);
  if (!result.rows[0]) throw new DriftlineError('InvalidInput', `model "${modelName}" has no version ${version}`);
  return Number(result.rows[0].id);
}

export async function appendAudit(client: DbClient | Pool, entry: AuditEntry): Promise<void> {
  await client.query(
    'INSERT INTO audit_log (actor, action, model_name, version_id, reason, details) VALUES ($1, $2, $3, $4, $5, $6)',
    [entry.actor, entry.action, entry.modelName, entry.versionId ?? null, entry.reason, JSON.stringify(entry.details)],
  );
}

interface VersionRow {
  id: string;
  model_name: string;
  version: number;
  artifact: ModelArtifact;
  artifact_digest: string;
  metrics: Metrics;
  training_snapshot_ids: string[];
  training_window: unknown;
  drift_methods: Record<string, DriftMethod> | null;
  params: Record<string, unknown>;
  evaluated_artifact: ModelArtifact | null;
  fits: VersionFits | null;
}

async function selectVersion(client: DbClient, where: string, params: unknown[]): Promise<ModelVersion | undefined> {
  const result = await client.query<VersionRow>(
    `SELECT id, model_name, version, artifact, artifact_digest, metrics, training_snapshot_ids, training_window, drift_methods,
            params, evaluated_artifact, fits
     FROM model_versions WHERE ${where}`,
    params,
  );
  const row = result.rows[0];
  return (
    row && {
      id: Number(row.id),
      modelName: row.model_name,
      version: row.version,
      artifact: row.artifact,
      artifactDigest: row.artifact_digest,
      metrics: row.metrics,
      trainingSnapshotIds: row.training_snapshot_ids.map(Number),
      params: row.params,
      evaluatedArtifact: row.evaluated_artifact ?? row.artifact,
      ...(row.fits !== null && { fits: row.fits }),
      ...(row.training_window !== null && { trainingWindow: DataWindow.parse(row.training_window) }),
      ...(row.drift_methods !== null && { driftMethods: row.drift_methods }),
    }
  );
}

export interface VersionSummary {
  model: string;
  version: number;
  id: number;
  trainer: string;
  metrics: Metrics;
  /** The naive baselines of its latest evaluation and its skill against the best; null before any evaluation stored them. */
  baselines: BaselineSummary | null;
  aliases: string[];
  createdAt: Date;
}

/** Versions newest first with their aliases and baselines, for one model or all. */
export async function listVersions(pool: Pool, modelName?: string, limit = 50): Promise<VersionSummary[]> {
  const result = await pool.query(
    `SELECT v.model_name, v.version, v.id, v.trainer, v.metrics, v.created_at,
            COALESCE((SELECT array_agg(a.alias ORDER BY a.alias) FROM model_aliases a WHERE a.version_id = v.id), '{}') AS aliases,
            (SELECT e.baselines FROM evaluations e WHERE e.version_id = v.id ORDER BY e.id DESC LIMIT 1) AS baselines
     FROM model_versions v
     WHERE $1::text IS NULL OR v.model_name = $1
     ORDER BY v.model_name, v.version DESC LIMIT $2`,
    [modelName ?? null, limit],
  );
  return result.rows.map((r) => ({
    model: r.model_name,
    version: r.version,
    id: Number(r.id),
    trainer: r.trainer,
    metrics: r.metrics,
    baselines: r.baselines,
    aliases: r.aliases,
    createdAt: r.created_at,
  }));
}

/** Every registered model's name, sorted: what an error about an unknown name lists. */
export async function listModelNames(pool: Pool): Promise<string[]> {
  const result = await pool.query<{ name: string }>('SELECT name FROM models ORDER BY name');
  return result.rows.map((row) => row.name);
}
