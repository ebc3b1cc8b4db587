/* global document, uPlot */
// Draws every chart the server described: a <figure data-chart="id"> names the inert JSON block
// holding its data (lib/dashboard/charts.ts is the shape). Nothing here reads anything else.

function seriesOptions(s) {
  const base = { label: s.label, stroke: s.color };
  if (s.style === 'points') return { ...base, paths: () => null, points: { show: true, size: 9, fill: s.color } };
  if (s.style === 'bars') return { ...base, fill: `${s.color}88`, width: 1, points: { show: false }, paths: uPlot.paths.bars({ size: [0.8, 80] }) };
  return { ...base, width: 2, points: { show: true, size: 4 }, spanGaps: true };
}

function axisOptions(spec) {
  if (!spec.categories) return [{ label: spec.xLabel }, { label: spec.yLabel }];
  const label = (i) => spec.categories[i] ?? '';
  return [
    { label: spec.xLabel, splits: () => spec.x, values: (u, splits) => splits.map(label), rotate: -30, size: 70 },
    { label: spec.yLabel },
  ];
}

function draw(figure) {
  const spec = JSON.parse(document.getElementById(figure.dataset.chart).textContent);
  const target = figure.querySelector('.chart');
  const categorical = Boolean(spec.categories);
  new uPlot(
    {
      // As wide as its box (a phone's 390 px included), never wider.
      width: Math.max(200, target.clientWidth),
      height: 260,
      scales: {
        x: categorical ? { time: false, range: (u, min, max) => [min - 0.5, max + 0.5] } : { time: true },
        // Bars of shares start at zero: a bar's length is its share, not its distance from the smallest one.
        ...(categorical ? { y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } } : {}),
      },
      axes: axisOptions(spec),
      series: [{ label: spec.xLabel, value: categorical ? (u, i) => spec.categories[i] ?? '' : undefined }, ...spec.series.map(seriesOptions)],
      hooks: { draw: [(u) => drawn(figure, u)] },
    },
    [spec.x, ...spec.series.map((s) => s.values)],
    target,
  );
}

/** Marks the figure drawn, with the value range it shows: readable by a person's devtools or a test. */
function drawn(figure, u) {
  figure.dataset.yRange = JSON.stringify([u.scales.y.min, u.scales.y.max]);
  figure.dataset.rendered = 'true';
}

for (const figure of document.querySelectorAll('figure[data-chart]')) draw(figure);
