import type { z } from 'zod';
import type { Row } from '../../lib/data/typed-row';
import { getVersion } from '../../lib/db/model-registry';
import type { Pool } from '../../lib/db/pool';
import type { ModelArtifact } from '../../lib/model/model-artifact';
import { inputSchemaOf, rowSchemaOf, type InputSchema } from '../../lib/serving/input-schema';
import { loadPipelineSpec } from '../../lib/spec/load-spec';
import { HttpError } from '../dashboard/http-params';

/** The alias the server answers with. */
const SERVED_ALIAS = 'champion';

/** One version as the server holds it: loaded once, then shared by every request that started while it was in service. */
export interface ServedVersion {
  model: string;
  pipeline: string;
  version: number;
  versionId: number;
  artifact: ModelArtifact;
  input: InputSchema;
  rowSchema: z.ZodType<Row>;
  keyColumns: string[];
  loadedAt: Date;
}

export interface ChampionsOptions {
  pool: Pool;
  pipelinesDir?: string;
  /** How often the registry is asked whether a served model's champion moved. */
  pollMs: number;
  logError: (line: string) => void;
}

/**
 * The champion of each model the server was asked about, loaded on its first request and swapped
 * when the alias moves (the registry is polled): a request keeps the version it started with, so
 * one in flight during a promotion finishes on it, and the next one gets the new champion.
 */
export class Champions {
  private readonly served = new Map<string, Promise<ServedVersion>>();
  private readonly timer: NodeJS.Timeout;
  private polling: Promise<void> | undefined;

  constructor(private readonly options: ChampionsOptions) {
    this.timer = setInterval(() => void this.poll(), options.pollMs);
    this.timer.unref();
  }

  /** The version in service for `model`; 404 when there is no such model or it has no champion. */
  get(model: string): Promise<ServedVersion> {
    let entry = this.served.get(model);
    if (!entry) {
      entry = this.championOf(model);
      this.served.set(model, entry);
      // A failed load (no champion yet, a spec that does not read) is tried again on the next request.
      entry.catch(() => this.served.get(model) === entry && this.served.delete(model));
    }
    return entry;
  }

  /** Asks the registry once which version each served model's champion is, and loads the ones that moved. */
  poll(): Promise<void> {
    this.polling ??= this.checkAliases().finally(() => (this.polling = undefined));
    return this.polling;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async checkAliases(): Promise<void> {
    const models = [...this.served.keys()];
    if (models.length === 0) return;
    try {
      const result = await this.options.pool.query<{ model_name: string; pipeline: string; version_id: string }>(
        `SELECT a.model_name, m.pipeline, a.version_id FROM model_aliases a JOIN models m ON m.name = a.model_name
          WHERE a.alias = $1 AND a.model_name = ANY($2)`,
        [SERVED_ALIAS, models],
      );
      const current = new Map(result.rows.map((row) => [row.model_name, { pipeline: row.pipeline, versionId: Number(row.version_id) }]));
      await Promise.all(models.map((model) => this.follow(model, current.get(model))));
    } catch (error) {
      this.options.logError(`serve: checking the champions failed; serving the versions loaded: ${(error as Error).message}`);
    }
  }

  /** Swaps in the new champion only once it is loaded, so no request waits on the switch. */
  private async follow(model: string, champion: { pipeline: string; versionId: number } | undefined): Promise<void> {
    const entry = this.served.get(model);
    const served = await entry?.catch(() => undefined);
    if (served?.versionId === champion?.versionId) return;
    if (champion === undefined) {
      this.served.delete(model);
      return;
    }
    const next = await this.load(model, champion.pipeline, champion.versionId);
    if (this.served.get(model) === entry) this.served.set(model, Promise.resolve(next));
  }

  private async championOf(model: string): Promise<ServedVersion> {
    const result = await this.options.pool.query<{ pipeline: string; version_id: string | null }>(
      'SELECT m.pipeline, a.version_id FROM models m LEFT JOIN model_aliases a ON a.model_name = m.name AND a.alias = $2 WHERE m.name = $1',
      [model, SERVED_ALIAS],
    );
    const row = result.rows[0];
    if (!row) throw new HttpError(404, `There is no model named "${model}".`);
    if (row.version_id === null) throw new HttpError(404, `Model "${model}" has no ${SERVED_ALIAS} yet: nothing to serve.`);
    return this.load(model, row.pipeline, Number(row.version_id));
  }

  private async load(model: string, pipeline: string, versionId: number): Promise<ServedVersion> {
    const version = await getVersion(this.options.pool, versionId);
    const { spec } = await loadPipelineSpec(pipeline, this.options.pipelinesDir);
    const input = inputSchemaOf(version.artifact.plan, spec.columns);
    return {
      model,
      pipeline,
      version: version.version,
      versionId,
      artifact: version.artifact,
      input,
      rowSchema: rowSchemaOf(input),
      keyColumns: spec.keyColumns,
      loadedAt: new Date(),
    };
  }
}
