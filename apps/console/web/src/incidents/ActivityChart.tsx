import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';

import { anomalousStretch, Baseline, chartSeries, describeChart } from './activity-series';

const COLORS = { actions: '#1d4ed8', usual: '#047857', range: 'rgba(16, 185, 129, 0.16)', anomaly: 'rgba(220, 38, 38, 0.14)', anomalyEdge: '#b91c1c' };

/** Shades the anomalous stretch behind the series. */
function highlight(stretch: [number, number]): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u: uPlot) => {
        const left = u.valToPos(stretch[0], 'x', true);
        const right = u.valToPos(stretch[1], 'x', true);
        const { top, height } = u.bbox;
        u.ctx.save();
        u.ctx.fillStyle = COLORS.anomaly;
        u.ctx.fillRect(left, top, Math.max(2, right - left), height);
        u.ctx.strokeStyle = COLORS.anomalyEdge;
        u.ctx.setLineDash([4, 3]);
        u.ctx.strokeRect(left, top, Math.max(2, right - left), height);
        u.ctx.restore();
      },
    },
  };
}

/**
 * The agent's actions per usage window over the last days (bars), against what its model holds usual at each time (the
 * learnt range, shaded, and its usual level, a line), with the anomalous stretch highlighted.
 */
export function ActivityChart({ baseline, incident }: { baseline: Baseline; incident: { openedAt: string } }) {
  const container = useRef<HTMLDivElement>(null);
  const series = useMemo(() => chartSeries(baseline.activity), [baseline]);
  const stretch = useMemo(() => anomalousStretch(series, incident, baseline.episode), [series, incident, baseline.episode]);
  const windowWords = baseline.activity.windowMinutes === 60 ? 'an hour' : `per ${baseline.activity.windowMinutes} min`;
  const summary = describeChart(series, stretch, windowWords);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth),
      height: 240,
      plugins: [highlight(stretch)],
      // Each bar stands for its window, from its start (the x value) to the next: aligned right of x, up to the last window's end.
      scales: {
        x: { time: true, range: () => [series.x[0], series.x[series.x.length - 1] + series.windowSeconds] },
        y: { range: (_u, _min, max) => [0, Math.max(4, max * 1.1)] },
      },
      axes: [
        { stroke: '#374151', grid: { stroke: '#e5e7eb' } },
        { stroke: '#374151', grid: { stroke: '#e5e7eb' }, label: `Actions ${windowWords}`, size: 60 },
      ],
      series: [
        { label: 'Time' },
        {
          label: `Actions ${windowWords}`,
          stroke: COLORS.actions,
          fill: 'rgba(29, 78, 216, 0.55)',
          paths: uPlot.paths.bars?.({ size: [0.9, 40], align: 1 }),
          points: { show: false },
        },
        { label: 'Usual level (learnt)', stroke: COLORS.usual, width: 2, points: { show: false } },
        { label: 'Top of usual range (learnt)', stroke: COLORS.usual, dash: [6, 4], fill: COLORS.range, points: { show: false } },
      ],
    };
    const chart = new uPlot(options, [series.x, series.actions, series.expected, series.high], element);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(320, element.clientWidth), height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [series, stretch, windowWords]);

  return (
    <figure className="chart">
      <div ref={container} role="img" aria-label={summary} />
      <figcaption>
        {summary} <span className="legend-anomaly">Shaded red: the anomalous stretch.</span>
      </figcaption>
    </figure>
  );
}
