import type { ExperimentRecord, StoredCell } from '../db/experiments';
import type { EffectEstimate, ExperimentAnalysis } from '../experiments/analysis';
import { describeLevels, levelText } from '../experiments/cell-config';
import type { Level } from '../experiments/experiment-spec';
import { chartFigure, COLORS } from './charts';
import { html, type SafeHtml } from './html';
import { layout, segment } from './layout';

const fixed = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : n.toPrecision(4));

/**
 * One experiment: its recommendation and expected range first, then a main-effects plot (the mean
 * metric at each level of each factor), an interaction plot for each significant pair, the table
 * of effects, and every cell with its spread or why it did not finish.
 */
export function experimentPage(experiment: ExperimentRecord, cells: StoredCell[], workflowLink: string): SafeHtml {
  const analysis = experiment.analysis as (ExperimentAnalysis & { unfinished?: unknown[] }) | undefined;
  const crumbs = [{ label: experiment.pipeline }, { label: 'experiments' }, { label: experiment.name }];
  const header = html`<p>Experiment <strong>${experiment.name}</strong> (#${experiment.id}) on pipeline ${experiment.pipeline}, snapshot <a href="/snapshots/${segment(experiment.snapshotId)}">#${experiment.snapshotId}</a>: <span class="outcome ${experiment.status}">${experiment.status}</span>, ${cells.length} of ${experiment.cellCount} cells ended. Started by ${experiment.requestedBy}; <a href="${workflowLink}">workflow</a>.</p>`;
  if (!analysis?.cells) {
    // Not ended yet; or ended with no cell finished, or failed outright: then the stored reason says why.
    const why = analysis ? html`<p><strong>${analysis.recommendation.reason}</strong></p>` : html`<p>Not analysed yet: the analysis appears when the experiment ends.</p>`;
    return layout(`Experiment ${experiment.name}`, crumbs, html`${header}${why}${cellTable(cells, undefined)}`);
  }
  const effects = analysis.effects ?? [];
  const mains = effects.filter((e) => e.factors.length === 1 && e.levelMeans);
  // A pair is drawn from its levels' cell means: not for a sampled design, whose codes are continuous (its effects come by regression, without level means).
  const pairs = effects.filter((e) => e.factors.length === 2 && e.significant && e.factors.every((f) => mains.some((m) => m.term === f)));
  return layout(
    `Experiment ${experiment.name}`,
    crumbs,
    html`${header}
<section><h2>Recommendation</h2><p><strong>${analysis.recommendation.reason}</strong></p><p>Expected: ${analysis.expectedRange.text}</p></section>
${mains.length > 0 ? mainEffectsChart(analysis, mains) : ''}
${pairs.map((pair, i) => interactionChart(analysis, pair, analysis.cells, i))}
${analysis.note ? html`<p class="muted">${analysis.note}</p>` : ''}
${effects.length > 0 ? effectTable(analysis, effects) : ''}
${cellTable(cells, analysis)}`,
  );
}

/** Each factor's level means side by side: one category per factor × level, the grand picture at a glance. */
function mainEffectsChart(analysis: ExperimentAnalysis, mains: EffectEstimate[]): SafeHtml {
  const categories = mains.flatMap((e) => (e.levelMeans ?? []).map((m) => `${e.term}=${levelText(m.level)}`));
  const values = mains.flatMap((e) => (e.levelMeans ?? []).map((m) => m.mean));
  return chartFigure(
    'main-effects',
    { x: categories.map((_, i) => i), categories, xLabel: 'factor = level', yLabel: `mean ${analysis.metric}`, series: [{ label: `mean ${analysis.metric}`, values, style: 'points', color: COLORS.line }] },
    `Main effects: the mean ${analysis.metric} at each level of each factor (${analysis.lowerIsBetter ? 'lower' : 'higher'} is better).`,
  );
}

/** A significant pair: the mean at each level of the first factor, one line per level of the second (lines that cross or diverge are the interaction). */
function interactionChart(analysis: ExperimentAnalysis, pair: EffectEstimate, cells: ExperimentAnalysis['cells'], i: number): SafeHtml {
  const [a, b] = pair.factors as [string, string];
  const levelsOf = (name: string) => [...new Map(cells.map((c) => [JSON.stringify(c.levels[name]), c.levels[name] as Level])).values()];
  const aLevels = levelsOf(a);
  const series = levelsOf(b).map((bLevel, k) => ({
    label: `${b}=${levelText(bLevel)}`,
    values: aLevels.map((aLevel) => {
      const matching = cells.filter((c) => JSON.stringify(c.levels[a]) === JSON.stringify(aLevel) && JSON.stringify(c.levels[b]) === JSON.stringify(bLevel));
      return matching.length === 0 ? null : matching.reduce((s, c) => s + c.mean, 0) / matching.length;
    }),
    style: 'line' as const,
    color: k % 2 === 0 ? COLORS.reference : COLORS.current,
  }));
  return chartFigure(
    `interaction-${i}`,
    { x: aLevels.map((_, j) => j), categories: aLevels.map(levelText), xLabel: a, yLabel: `mean ${analysis.metric}`, series },
    `Interaction ${pair.term}: effect ${fixed(pair.effect)} (95% CI ${pair.ci95 ? `${fixed(pair.ci95[0])} to ${fixed(pair.ci95[1])}` : '–'}, p ${fixed(pair.p)}).`,
  );
}

function effectTable(analysis: ExperimentAnalysis, effects: EffectEstimate[]): SafeHtml {
  return html`<section><h2>Effects on ${analysis.metric}</h2>
<table class="effects"><thead><tr><th>term</th><th>effect</th><th>95% CI</th><th>p</th><th>share of variance</th><th>significant</th></tr></thead><tbody>
${effects.map((e) => html`<tr class="${e.significant ? 'significant' : ''}"><td>${e.term}</td><td>${fixed(e.effect)}</td><td>${e.ci95 ? `${fixed(e.ci95[0])} to ${fixed(e.ci95[1])}` : '–'}</td><td>${fixed(e.p)}</td><td>${(e.shareOfVariance * 100).toFixed(1)}%</td><td>${e.significant ? 'yes' : 'no'}</td></tr>`)}
</tbody></table>${analysis.aliases.length > 0 ? html`<p>Aliases (resolution ${analysis.resolution}): ${analysis.aliases.map((chain) => chain.join(' = ')).join('; ')}</p>` : ''}</section>`;
}

function cellTable(cells: StoredCell[], analysis: ExperimentAnalysis | undefined): SafeHtml {
  return html`<section><h2>Cells</h2>
<table class="cells"><thead><tr><th>cell</th><th>levels</th><th>status</th><th>mean</th><th>sd</th><th>min</th><th>max</th><th>replicates</th></tr></thead><tbody>
${cells.map((cell) => {
  const summary = analysis?.cells.find((c) => c.index === cell.cellIndex);
  const best = analysis?.best.index === cell.cellIndex;
  return html`<tr class="${best ? 'best' : cell.status === 'done' ? '' : 'abnormal'}"><td>${cell.cellIndex}${best ? ' (best)' : ''}</td><td>${describeLevels(cell.levels as Record<string, Level>)}</td><td>${cell.status}${cell.reason ? html`<div class="error">${cell.reason}</div>` : ''}</td><td>${fixed(summary?.mean)}</td><td>${fixed(summary?.sd)}</td><td>${fixed(summary?.min)}</td><td>${fixed(summary?.max)}</td><td>${summary?.replicates ?? '–'}</td></tr>`;
})}
</tbody></table></section>`;
}
