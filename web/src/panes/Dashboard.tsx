// Site dashboard: KPI cards and charts for one site, or the all-sites view. Every chart states its
// period and source; the numbers come only from the public analytics, alerts and assignments routes.
import { useMemo, useState } from "react";
import { call } from "../api/client";
import type { Analytics_Alert } from "../api/gen/types";
import { Chart } from "../components/Chart";
import { Async, ErrorBox, fmt, useApi } from "../components/ui";
import { SEVERITY_LABEL, SITES, addDays } from "../sites";

const ALL = "全拠点";
const SEVERITIES = ["critical", "high", "medium", "low"];
const RANGE: Record<string, number> = { day: 30, week: 84, month: 180 };
const GRAN_LABEL: Record<string, string> = { day: "日別", week: "週別", month: "月別" };

export default function Dashboard() {
  const [site, setSite] = useState<string>(SITES[0]);
  return (
    <section className="pane dashboard">
      <div className="pane-head">
        <h2>拠点ダッシュボード</h2>
        <div className="switcher" role="tablist" aria-label="拠点">
          {[...SITES, ALL].map((s) => (
            <button key={s} role="tab" aria-selected={s === site} className={s === site ? "active" : ""}
                    onClick={() => setSite(s)}>{s}</button>))}
        </div>
      </div>
      {site === ALL ? <AllSites /> : <SiteView key={site} site={site} />}
    </section>
  );
}

function severityCounts(alerts: Analytics_Alert[]) {
  const c: Record<string, number> = {};
  for (const a of alerts) c[a.severity] = (c[a.severity] ?? 0) + 1;
  return c;
}

function Kpi({ label, value, sub, id, tone }: { label: string; value: string; sub?: string; id: string; tone?: string }) {
  return (
    <div className={`kpi card ${tone ?? ""}`} data-testid={`kpi-${id}`}>
      <div className="label">{label}</div><div className="value">{value}</div>{sub && <div className="sub">{sub}</div>}
    </div>
  );
}

function SiteView({ site }: { site: string }) {
  const [gran, setGran] = useState<"day" | "week" | "month">("day");
  const today = addDays(0);
  const tomorrow = addDays(1);
  const from30 = addDays(-29);
  const open = useApi((s) => call("AlertsApiService.ListAlerts", { location: site, status: "open", page_size: 200 }, s), [site]);
  const overtime = useApi((s) => call("AlertsApiService.ListAlerts",
    { location: site, alert_type: "overtime_over_limit", page_size: 1 }, s), [site]);
  const prod = useApi((s) => call("AnalyticsApiService.GetProductivity",
    { location: site, granularity: gran, group_by: "process", date_from: addDays(-RANGE[gran] + 1), date_to: today }, s), [site, gran]);
  const att = useApi((s) => call("AnalyticsApiService.GetAttendance", { location: site, date_from: from30, date_to: today }, s), [site]);
  const fc = useApi((s) => call("AnalyticsApiService.ForecastWorkload", { forecast: { location: site, days: 14 } }, s), [site]);
  const stats = useApi((s) => call("AnalyticsApiService.GetAlertStatistics",
    { location: site, period: "day", date_from: from30, date_to: today }, s), [site]);
  const plan = useApi((s) => call("AssignmentsApiService.RecommendAssignments", { recommend: { location: site, date: tomorrow } }, s), [site]);

  const prodOption = useMemo(() => {
    const pts = prod.data?.points ?? [];
    const periods = [...new Set(pts.map((p) => p.period_start))].sort();
    const procs = [...new Set(pts.map((p) => p.process))];
    return {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "category", data: periods }, yAxis: { type: "value", name: "生産性", scale: true },
      series: procs.map((proc) => ({ name: proc, type: "line", showSymbol: false,
        data: periods.map((d) => pts.find((p) => p.period_start === d && p.process === proc)?.mean ?? null) })),
    };
  }, [prod.data]);

  const absOption = useMemo(() => {
    const w = att.data?.weekdays ?? [];
    return { tooltip: {}, grid: { left: 40, right: 16, top: 20, bottom: 30 },
      xAxis: { type: "category", data: w.map((x) => x.weekday_name) },
      yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: [{ type: "bar", name: "欠勤率", data: w.map((x) => +(x.absence_rate * 100).toFixed(1)), itemStyle: { color: "#d9822b" } }] };
  }, [att.data]);

  const ot = overtime.data?.alerts?.[0];
  const otStaff = ((ot?.evidence?.over_limit_staff ?? []) as { employee_name: string; overtime_hours: number; limit_hours: number }[]);
  const otOption = useMemo(() => ({
    tooltip: {}, grid: { left: 40, right: 16, top: 20, bottom: 60 },
    xAxis: { type: "category", data: otStaff.map((x) => x.employee_name), axisLabel: { rotate: 40 } },
    yAxis: { type: "value", name: "時間" },
    series: [
      { type: "bar", name: "残業", data: otStaff.map((x) => x.overtime_hours), itemStyle: { color: "#c0392b" } },
      { type: "line", name: "個人上限", data: otStaff.map((x) => x.limit_hours), lineStyle: { type: "dashed" }, symbol: "none" },
    ] }), [ot]);  // eslint-disable-line react-hooks/exhaustive-deps

  const fcOption = useMemo(() => {
    const pts = fc.data?.points ?? [];
    const dates = [...new Set(pts.map((p) => p.date))].sort();
    const sum = (d: string, k: "forecast_units" | "lower_units" | "upper_units" | "staff_hours") =>
      +pts.filter((p) => p.date === d).reduce((a, p) => a + p[k], 0).toFixed(1);
    const lower = dates.map((d) => sum(d, "lower_units"));
    return { tooltip: { trigger: "axis" }, legend: { top: 0, data: [`予測区間（${fmt((fc.data?.interval_level ?? 0) * 100, 0)}%）`, "予測物量", "必要人時"] },
      grid: { left: 50, right: 50, top: 40, bottom: 30 },
      xAxis: { type: "category", data: dates.map((d) => d.slice(5)) },
      yAxis: [{ type: "value", name: "物量" }, { type: "value", name: "人時" }],
      series: [
        { name: "下限", type: "line", stack: "band", data: lower, lineStyle: { opacity: 0 }, symbol: "none" },
        { name: `予測区間（${fmt((fc.data?.interval_level ?? 0) * 100, 0)}%）`, type: "line", stack: "band", symbol: "none",
          lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(52,120,246,0.18)" }, itemStyle: { color: "rgba(52,120,246,0.35)" },
          data: dates.map((d, i) => +(sum(d, "upper_units") - lower[i]).toFixed(1)) },
        { name: "予測物量", type: "line", data: dates.map((d) => sum(d, "forecast_units")), itemStyle: { color: "#3478f6" } },
        { name: "必要人時", type: "bar", yAxisIndex: 1, data: dates.map((d) => sum(d, "staff_hours")), itemStyle: { color: "rgba(39,174,96,0.5)" } },
      ] };
  }, [fc.data]);

  const alertsOption = useMemo(() => {
    const b = stats.data?.by_period ?? [];
    return { tooltip: { trigger: "axis" }, grid: { left: 40, right: 16, top: 20, bottom: 30 },
      xAxis: { type: "category", data: b.map((x) => x.key.slice(5)) }, yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "アラート件数", data: b.map((x) => x.count), itemStyle: { color: "#8e44ad" } }] };
  }, [stats.data]);

  const sev = severityCounts(open.data?.alerts ?? []);
  const kpis = plan.data?.plan?.kpis;
  const attendance = att.data ? 100 - att.data.absence_rate * 100 : undefined;
  const otTotal = ot?.evidence?.site_overtime_hours as number | undefined;
  const otLimit = ot?.evidence?.site_limit_hours as number | undefined;
  return (
    <div data-testid={`site-${site}`}>
      <div className="kpis">
        <Kpi id="alerts" label="未対応アラート" tone={(sev.critical ?? 0) > 0 ? "bad" : ""}
             value={open.data ? `${open.data.alerts.length}件` : "…"}
             sub={SEVERITIES.filter((s) => sev[s]).map((s) => `${SEVERITY_LABEL[s]} ${sev[s]}`).join("・") || "なし"} />
        <Kpi id="productivity" label="生産性（直近期間）" value={fmt(prod.data?.current?.mean)}
             sub={prod.data ? `前期間比 ${prod.data.change_pct > 0 ? "+" : ""}${fmt(prod.data.change_pct)}%` : undefined} />
        <Kpi id="attendance" label="出勤率（30日）" value={attendance === undefined ? "…" : `${fmt(attendance)}%`}
             sub={att.data ? `${att.data.total}件の勤怠記録` : undefined} />
        <Kpi id="overtime" label="残業（直近の超過日）" tone={otTotal && otLimit && otTotal > otLimit ? "bad" : ""}
             value={otTotal === undefined ? (overtime.data ? "超過なし" : "…") : `${fmt(otTotal)}h`}
             sub={otLimit !== undefined ? `拠点上限 ${fmt(otLimit)}h（${ot?.period_end}）` : undefined} />
        <Kpi id="coverage" label="明日のカバー率" tone={kpis && kpis.coverage_pct < 95 ? "warn" : ""}
             value={kpis ? `${fmt(kpis.coverage_pct)}%` : (plan.error ? "取得失敗" : "…")}
             sub={kpis ? `現計画 ${fmt(kpis.current_plan_coverage_pct)}%・不足 ${fmt(kpis.shortage_staff_hours)}人時` : undefined} />
      </div>
      {[open, prod, att, fc, stats, plan].map((s, i) => s.error ? <ErrorBox key={i} error={s.error} onRetry={s.reload} /> : null)}
      <div className="charts">
        <div className="chart-wrap">
          <div className="gran" role="group" aria-label="集計単位">
            {(["day", "week", "month"] as const).map((g) => (
              <button key={g} className={g === gran ? "active" : ""} onClick={() => setGran(g)}>{GRAN_LABEL[g]}</button>))}
          </div>
          <Async state={prod} what="生産性">{(d) => (
            <Chart id="productivity" title={`生産性の推移（${GRAN_LABEL[gran]}・工程別）`} option={prodOption}
                   period={`${d.current?.date_from ?? addDays(-RANGE[gran] + 1)} 〜 ${d.current?.date_to ?? today}`}
                   source="productivity_records（分析エンジン GetProductivity）"
                   empty={d.points.length ? undefined : "この期間の生産性記録はありません"} />)}</Async>
        </div>
        <Async state={att} what="勤怠">{(d) => (
          <Chart id="absence" title="曜日別の欠勤率" option={absOption} period={`${d.date_from} 〜 ${d.date_to}`}
                 source="attendance_records（分析エンジン GetAttendance）"
                 empty={d.weekdays.length ? undefined : "勤怠記録がありません"} />)}</Async>
        <Async state={overtime} what="残業">{() => (
          <Chart id="overtime" title="個人別の残業と上限（直近の上限超過日）" option={otOption}
                 period={ot ? ot.period_end : "—"} source={ot ? `attendance_records（アラート #${ot.alert_id} の根拠）` : "attendance_records"}
                 empty={otStaff.length ? undefined : "残業上限を超えた日はありません"} />)}</Async>
        <Async state={fc} what="予測">{(d) => (
          <Chart id="forecast" title="業務量の予測と必要人時" option={fcOption}
                 period={d.points.length ? `${d.points[0].date} 〜 ${d.points[d.points.length - 1].date}（14日）` : "—"}
                 source={`${d.history_source}（${d.method}、履歴${d.history_days}日、区間 ${fmt(d.interval_level * 100, 0)}%）`}
                 empty={d.points.length ? undefined : "予測できる履歴がありません"} />)}</Async>
        <Async state={stats} what="アラート統計">{(d) => (
          <Chart id="alerts" title="アラート件数の推移（日別）" option={alertsOption} period={`${d.date_from} 〜 ${d.date_to}`}
                 source="alerts（分析エンジン GetAlertStats）" empty={d.by_period.length ? undefined : "この期間のアラートはありません"} />)}</Async>
      </div>
    </div>
  );
}

function AllSites() {
  const today = addDays(0);
  const from30 = addDays(-29);
  const open = useApi((s) => call("AlertsApiService.ListAlerts", { status: "open", page_size: 500 }, s), []);
  const stats = useApi((s) => call("AnalyticsApiService.GetAlertStatistics", { period: "day", date_from: from30, date_to: today }, s), []);
  const byLoc = useMemo(() => {
    const m: Record<string, Analytics_Alert[]> = {};
    for (const a of open.data?.alerts ?? []) (m[a.location] ??= []).push(a);
    return m;
  }, [open.data]);
  const locOption = useMemo(() => ({
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 16, top: 40, bottom: 30 },
    xAxis: { type: "category", data: [...SITES] }, yAxis: { type: "value", minInterval: 1 },
    series: SEVERITIES.map((sv) => ({ name: SEVERITY_LABEL[sv], type: "bar", stack: "s",
      data: SITES.map((s) => (byLoc[s] ?? []).filter((a) => a.severity === sv).length) })),
  }), [byLoc]);
  const periodOption = useMemo(() => {
    const b = stats.data?.by_period ?? [];
    return { tooltip: { trigger: "axis" }, grid: { left: 40, right: 16, top: 20, bottom: 30 },
      xAxis: { type: "category", data: b.map((x) => x.key.slice(5)) }, yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: "アラート件数", data: b.map((x) => x.count), areaStyle: {} }] };
  }, [stats.data]);
  return (
    <div data-testid="site-all">
      <Async state={open} what="アラート">{(d) => (
        <div className="kpis">
          <Kpi id="alerts" label="全拠点の未対応アラート" value={`${d.alerts.length}件`} />
          {SITES.map((s) => {
            const c = severityCounts(byLoc[s] ?? []);
            return <Kpi key={s} id={`alerts-${s}`} label={s} value={`${(byLoc[s] ?? []).length}件`} tone={c.critical ? "bad" : ""}
                        sub={SEVERITIES.filter((x) => c[x]).map((x) => `${SEVERITY_LABEL[x]} ${c[x]}`).join("・") || "なし"} />;
          })}
        </div>)}</Async>
      <div className="charts">
        <Chart id="alerts-by-site" title="拠点別の未対応アラート（重要度別）" option={locOption} period={`${today} 時点`}
               source="alerts（GET /api/v1/alerts?status=open）" />
        <Async state={stats} what="アラート統計">{(d) => (
          <Chart id="alerts" title="全拠点のアラート件数の推移" option={periodOption} period={`${d.date_from} 〜 ${d.date_to}`}
                 source="alerts（分析エンジン GetAlertStats）" />)}</Async>
      </div>
    </div>
  );
}
