// One ECharts chart with its title, period and source always visible (a number without a source is
// not shown). ECharts is imported piecewise so the dashboard chunk carries only what it draws.
import { useEffect, useRef } from "react";
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, DatasetComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import type { EChartsCoreOption } from "echarts/core";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent,
             DatasetComponent, CanvasRenderer]);

export interface ChartProps { id: string; title: string; period: string; source: string;
                              option: EChartsCoreOption; empty?: string }

/** A short fingerprint of the plotted numbers, so a test can see that a chart changed with the site. */
function signature(option: EChartsCoreOption): string {
  const series = (option as { series?: { data?: unknown[] }[] }).series ?? [];
  const values = series.flatMap((s) => (s.data ?? []).map((v) => (typeof v === "number" ? v : 0)));
  return `${values.length}:${values.reduce((a, b) => a + b, 0).toFixed(2)}`;
}

export function Chart({ id, title, period, source, option, empty }: ChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current || empty) return;
    chart.current ??= echarts.init(el.current, undefined, { renderer: "canvas" });
    chart.current.setOption(option, true);
    const onResize = () => chart.current?.resize();
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, [option, empty]);
  useEffect(() => () => { chart.current?.dispose(); chart.current = null; }, []);
  return (
    <figure className="chart card" data-testid={`chart-${id}`} data-period={period}
            data-signature={empty ? "empty" : signature(option)}>
      <figcaption><strong>{title}</strong><span className="sub">期間: {period}</span></figcaption>
      {empty ? <div className="state empty">{empty}</div> : <div ref={el} className="chart-canvas" />}
      <div className="source">出典: {source}</div>
    </figure>
  );
}
