import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILT_IN_PIPELINES_DIR } from '../../lib/spec/load-spec';
import { PENGUIN_COLUMNS } from './vega-data';

/**
 * Writes the built-in us-employment spec under a new name and model name into a (by default new,
 * temporary) pipelines folder, so each test owns its models in the shared test database.
 */
export function pipelineFolderWith(
  name: string,
  changes: (spec: Record<string, unknown>) => void = () => undefined,
  dir: string = mkdtempSync(path.join(os.tmpdir(), 'driftline-pipelines-')),
): string {
  const spec = JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, 'us-employment.json'), 'utf8')) as Record<string, unknown>;
  spec.name = name;
  spec.model = { ...(spec.model as object), name: `${name}-model` };
  changes(spec);
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(spec, null, 2));
  return dir;
}

/** A cross-sectional pipeline: each penguin's body mass from its other measurements, species and sex. */
export function penguinMassPipeline(name: string, dir: string, changes: (spec: Record<string, unknown>) => void = () => undefined): string {
  return pipelineFolderWith(name, (spec) => {
    spec.kind = 'cross-sectional';
    spec.source = { kind: 'package-file', package: 'vega-datasets', path: 'data/penguins.json', format: 'json' };
    spec.columns = PENGUIN_COLUMNS;
    delete spec.timeColumn;
    delete spec.horizon;
    spec.keyColumns = [];
    spec.target = 'Body Mass (g)';
    spec.features = { columns: ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)'], categorical: ['Species', 'Sex'] };
    spec.evaluation = { holdout: { fraction: 0.25, seed: 1 }, primaryMetric: 'rmse' };
    spec.promotion = { gates: {} };
    spec.checks = { rowCount: { min: 300 } };
    changes(spec);
  }, dir);
}

/** A classifier of penguin species from a CSV of birds (`csv`, relative to the folder), judged on log loss. */
export function penguinSpeciesPipeline(name: string, dir: string, csv: string, model: Record<string, unknown>): string {
  return pipelineFolderWith(name, (spec) => {
    spec.kind = 'cross-sectional';
    spec.source = { kind: 'file', path: csv, format: 'csv' };
    spec.columns = PENGUIN_COLUMNS;
    delete spec.timeColumn;
    delete spec.horizon;
    spec.keyColumns = [];
    spec.target = 'Species';
    spec.features = { columns: ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'], categorical: ['Island', 'Sex'] };
    spec.model = model;
    spec.evaluation = { holdout: { fraction: 0.25, seed: 3 }, primaryMetric: 'log_loss' };
    spec.promotion = { gates: { accuracy: { threshold: 0.9 } } };
    spec.checks = { rowCount: { min: 100 } };
  }, dir);
}
