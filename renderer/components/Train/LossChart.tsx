import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LossPoint {
  iter: number;
  train?: number;
  val?: number;
}

/**
 * Train and validation loss against the iteration, drawn by uPlot (canvas: thousands of points
 * cost nothing). The plot is built once and given new data as events arrive.
 */
export function LossChart({
  points,
  width = 760,
  height = 260,
}: {
  points: LossPoint[];
  width?: number;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = (): uPlot.AlignedData => [
    points.map((p) => p.iter),
    points.map((p) => p.train ?? null),
    points.map((p) => p.val ?? null),
  ];
  // biome-ignore lint/correctness/useExhaustiveDependencies: built once per size; data flows in below
  useEffect(() => {
    if (!box.current) return;
    const styles = getComputedStyle(document.documentElement);
    const accent = styles.getPropertyValue('--accent').trim() || '#3b5bdb';
    const good = styles.getPropertyValue('--good').trim() || '#2f9e44';
    plot.current = new uPlot(
      {
        width,
        height,
        scales: { x: { time: false } },
        axes: [{ label: 'iteration' }, { label: 'loss' }],
        series: [
          { label: 'iteration' },
          { label: 'train loss', stroke: accent, width: 2, spanGaps: true },
          { label: 'validation loss', stroke: good, width: 2, spanGaps: true, points: { show: true, size: 6 } },
        ],
      },
      data(),
      box.current,
    );
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [width, height]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: data() reads points
  useEffect(() => {
    plot.current?.setData(data());
  }, [points]);
  return <div ref={box} className="loss-chart" data-testid="loss-chart" data-points={points.length} />;
}
