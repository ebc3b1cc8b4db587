import type { PipelineSpec } from '../spec/pipeline-spec';
import { html, type SafeHtml } from './html';

/** What the spec says a pipeline and its columns mean: shown on every page and chart axis that names them. */
export interface PipelineInfo {
  description: string;
  /** The column the model forecasts: its errors are in this column's unit. */
  target?: string;
  columns: Record<string, { unit?: string; description?: string }>;
}

/** Nothing known: a pipeline whose spec is gone or no longer reads still has its pages. */
export const NO_INFO: PipelineInfo = { description: '', columns: {} };

export function pipelineInfo(spec: PipelineSpec): PipelineInfo {
  const columns = Object.fromEntries(Object.entries(spec.columns).map(([name, c]) => [name, { unit: c.unit, description: c.description }]));
  return { description: spec.description, target: spec.target, columns };
}

export function unitOf(info: PipelineInfo, column: string): string | undefined {
  return info.columns[column]?.unit;
}

/** "nonfarm (thousand jobs)": a column's name with its unit, for headings and axes. */
export function columnLabel(info: PipelineInfo, column: string): string {
  const unit = unitOf(info, column);
  return unit ? `${column} (${unit})` : column;
}

/** The pipeline's description under a page's title, when its spec has one. */
export function pipelineDescription(info: PipelineInfo): SafeHtml {
  return info.description ? html`<p class="description">${info.description}</p>` : html``;
}

export function columnDescription(info: PipelineInfo, column: string): SafeHtml {
  const text = info.columns[column]?.description;
  return text ? html`<p class="description">${text}</p>` : html``;
}
