/* global document, uPlot */
// Draws every chart the server described: a <figure data-chart="id"> names the inert JSON block
// holding its data (lib/dashboard/charts.ts is the shape). Nothing here reads anything else.

function seriesOptions(s) {
  const base = { label: s.label, stroke: s.color };
  if (s.style === 'points') return { ...base, paths: () => null, points: { show: true, size: 9, fill: s.color } };
  if (s.style === 'bars') return { ...base, fill: `${s.color}88`, width: 1, points: { show: false }, paths: uPlot.paths.bars({ size: [0.8, 80] }) };
  // Points large enough to see a line of one (a version alone on its holdout).
  return { ...base, width: 2, points: { show: true, size: 7 }, spanGaps: true };
}

// A log scale (spec.yLog): the values are base-10 logarithms, drawn on a linear axis whose ticks
// are whole exponents, labelled with the quantity itself (0.01, 1e-9).
function exponentSplits(u, axisIdx, min, max) {
  // Only exponents inside the drawn range: a tick outside it would be written past the plot.
  const low = Math.ceil(min);
  const high = Math.floor(max);
  const step = Math.max(1, Math.ceil((high - low) / 6));
  const splits = [];
  for (let e = high; e >= low; e -= step) splits.unshift(e);
  return splits;
}

function powerOfTen(exponent) {
  const e = Math.round(exponent);
  return e >= -3 ? String(10 ** e) : `1e${e}`;
}

function unlogged(u, v) {
  if (v === null || v === undefined) return '--';
  return Number((10 ** v).toPrecision(3)).toString();
}

function axisOptions(spec) {
  const y = spec.yLog ? { label: spec.yLabel, splits: exponentSplits, values: (u, splits) => splits.map(powerOfTen), size: 60 } : { label: spec.yLabel };
  if (!spec.categories) return [{ label: spec.xLabel }, y];
  const label = (i) => spec.categories[i] ?? '';
  return [
    { label: spec.xLabel, splits: () => spec.x, values: (u, splits) => splits.map(label), rotate: -30, size: 70 },
    y,
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
      series: [
        { label: spec.xLabel, value: categorical ? (u, i) => spec.categories[i] ?? '' : undefined },
        ...spec.series.map((s) => ({ ...seriesOptions(s), ...(spec.yLog ? { value: unlogged } : {}) })),
      ],
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
