// Alerts inbox: filters, the list, one alert's evidence and related records, the analyze and improve
// actions (full answers), and detection on demand.
import { useState } from "react";
import { ExportButtons } from "../components/ExportButtons";
import { call } from "../api/client";
import type { Analytics_DetectAlertsResponse, Gateway_Answer } from "../api/gen/types";
import { AnswerView } from "../components/AnswerView";
import { Async, Empty, ErrorBox, Loading, useApi } from "../components/ui";
import { SEVERITY_LABEL, SITES, STATUS_LABEL } from "../sites";

export const ALERT_TYPES: Record<string, string> = {
  overtime_over_limit: "残業上限超過", productivity_drop: "生産性低下", absence_spike: "欠勤急増",
  staffing_shortage: "人員不足の見込み",
};
// Japanese names for the evidence and related-record fields the detection rules write; an unknown
// key is shown as is rather than hidden.
const LABEL: Record<string, string> = {
  source: "データの出典", rule: "ルール", date: "日付", subject: "対象", site_limit_hours: "拠点の残業上限(h)",
  site_overtime_hours: "拠点の残業合計(h)", site_ratio: "上限比", site_over_limit: "拠点上限超過",
  shortage_hours: "不足(人時)", required_hours: "必要(人時)", available_hours: "確保できる(人時)",
  shortage_pct: "不足率(%)", absence_rate: "欠勤率", attended_staff: "出勤人数", max_excess_hours: "最大超過(h)",
  staff_over_personal_limit: "個人上限超過の人数", over_limit_staff: "上限を超えた人", overtime_hours: "残業(h)",
  employee_id: "従業員ID", employee_name: "氏名", limit_hours: "上限(h)", over_personal_limit: "個人上限超過",
  attendance_status: "勤怠", record_type: "記録の種類", personal_limit_hours: "個人上限(h)", actual_hours: "実労働(h)",
  attendance_date: "日付", forecast_date: "予測日", process_name: "工程", process: "工程", forecast_units: "予測物量",
  actual_units: "実績物量", standard_units_per_hour: "標準処理量(/h)", shift_date: "シフト日", planned_status: "予定",
  staff: "人数", record_date: "日付", productivity: "生産性", productivity_score: "生産性", mean_productivity: "平均生産性",
  by_process: "工程別", scheduled_staff: "出勤予定人数", scheduled_net_hours: "予定工数(人時)",
  expected_absent_staff: "欠勤見込み(人)", expected_absent_hours: "欠勤見込み(人時)", expected_absence_rate: "欠勤見込み率",
  overtime_capacity_hours: "残業枠(人時)", site_overtime_limit_hours: "拠点の残業上限(h)", notified_absent: "欠勤連絡済み",
  site_mean_productivity: "拠点の平均生産性", productivity_records: "生産性記録数", skill_level: "スキル",
  change_pct: "変化率(%)", baseline: "基準値", current: "現在値", weekday: "曜日", hours_worked: "労働時間(h)",
};
const label = (k: string) => LABEL[k] ?? k;
function cell(v: unknown): string {
  if (v === true) return "はい";
  if (v === false) return "いいえ";
  return v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
}

function Select({ label, value, onChange, options }: { label: string; value: string; onChange: (v: string) => void;
                                                     options: Record<string, string> }) {
  return (
    <label className="field">{label}
      <select value={value} onChange={(e) => onChange(e.target.value)} aria-label={label}>
        <option value="">すべて</option>
        {Object.entries(options).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
      </select>
    </label>
  );
}

function Value({ v }: { v: unknown }) {
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === "object") return <RecordsTable rows={v as Record<string, unknown>[]} />;
    return <>{v.map(String).join("、")}</>;
  }
  if (v && typeof v === "object") return <code>{JSON.stringify(v)}</code>;
  return <>{cell(v)}</>;
}

function RecordsTable({ rows }: { rows: Record<string, unknown>[] }) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <div className="scroll"><table className="grid small"><thead><tr>{cols.map((c) => <th key={c}>{label(c)}</th>)}</tr></thead>
      <tbody>{rows.map((r, i) => <tr key={i}>{cols.map((c) => <td key={c}>{cell(r[c])}</td>)}</tr>)}</tbody>
    </table></div>
  );
}

export default function Alerts() {
  const [f, setF] = useState({ location: "", alert_type: "", severity: "", status: "open" });
  const [selected, setSelected] = useState<number>();
  const [detect, setDetect] = useState<{ loading?: boolean; result?: Analytics_DetectAlertsResponse; error?: unknown }>({});
  const list = useApi((s) => call("AlertsApiService.ListAlerts", { ...f, page_size: 100 }, s), [f.location, f.alert_type, f.severity, f.status]);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });

  async function runDetect() {
    setDetect({ loading: true });
    try {
      const result = await call("AlertsApiService.DetectAlerts", { location: f.location });
      setDetect({ result });
      list.reload();
    } catch (error) { setDetect({ error }); }
  }

  return (
    <section className="pane alerts">
      <div className="pane-head">
        <h2>アラート</h2>
        <button onClick={runDetect} disabled={detect.loading} data-testid="detect">
          {detect.loading ? "検知中…" : `今すぐ検知${f.location ? `（${f.location}）` : "（全拠点）"}`}</button>
        <ExportButtons dataset="alerts" label="アラート一覧" params={{ location: f.location, status: f.status }} />
      </div>
      {detect.result && <div className="state ok" data-testid="detect-result">
        検知しました: 新規 {detect.result.created}件・変化なし {detect.result.unchanged}件（{detect.result.date_from}〜{detect.result.date_to}）</div>}
      {detect.error ? <ErrorBox error={detect.error} /> : null}
      <div className="filters">
        <Select label="拠点" value={f.location} onChange={set("location")} options={Object.fromEntries(SITES.map((s) => [s, s]))} />
        <Select label="種類" value={f.alert_type} onChange={set("alert_type")} options={ALERT_TYPES} />
        <Select label="重要度" value={f.severity} onChange={set("severity")} options={SEVERITY_LABEL} />
        <Select label="状態" value={f.status} onChange={set("status")} options={STATUS_LABEL} />
      </div>
      <div className="split">
        <div className="list" data-testid="alert-list">
          <Async state={list} what="アラート一覧">{(d) => d.alerts.length === 0 ? <Empty>条件に合うアラートはありません</Empty> : (
            <>
              <div className="sub">{d.total}件中 {d.alerts.length}件を表示</div>
              <ul className="items">{d.alerts.map((a) => (
                <li key={a.alert_id}>
                  <button className={`item ${selected === a.alert_id ? "active" : ""}`} data-testid="alert-item"
                          data-alert-type={a.alert_type} onClick={() => setSelected(a.alert_id)}>
                    <span className={`sev ${a.severity}`}>{SEVERITY_LABEL[a.severity] ?? a.severity}</span>
                    <span className="title">{a.title}</span>
                    <span className="sub">{ALERT_TYPES[a.alert_type] ?? a.alert_type}・{STATUS_LABEL[a.status] ?? a.status}・{a.period_end}</span>
                  </button>
                </li>))}</ul>
            </>)}</Async>
        </div>
        <div className="detail">
          {selected === undefined ? <Empty>左の一覧からアラートを選んでください</Empty> : <AlertDetail key={selected} id={selected} />}
        </div>
      </div>
    </section>
  );
}

function AlertDetail({ id }: { id: number }) {
  const detail = useApi((s) => call("AlertsApiService.GetAlert", { alert_id: id }, s), [id]);
  const [action, setAction] = useState<{ kind?: string; loading?: boolean; answer?: Gateway_Answer; error?: unknown }>({});
  async function run(kind: "analyze" | "improve") {
    setAction({ kind, loading: true });
    try {
      const req = { alert_id: id, context: { user_id: "manager001", session_id: "", urgency: "medium" } };
      const answer = kind === "analyze" ? await call("AlertsApiService.AnalyzeAlert", req) : await call("AlertsApiService.ImproveAlert", req);
      setAction({ kind, answer });
    } catch (error) { setAction({ kind, error }); }
  }
  return (
    <Async state={detail} what="アラート詳細">{(d) => {
      const a = d.alert;
      if (!a) return <Empty>アラートが見つかりません</Empty>;
      const ev = a.evidence ?? {};
      return (
        <div className="card" data-testid="alert-detail">
          <h3><span className={`sev ${a.severity}`}>{SEVERITY_LABEL[a.severity]}</span> {a.title}</h3>
          <p>{a.message}</p>
          <div className="sub">{ALERT_TYPES[a.alert_type] ?? a.alert_type}・{a.location}・期間 {a.period_start}〜{a.period_end}・検知 {a.detected_at.replace("T", " ")}</div>
          <div className="row">
            <button onClick={() => run("analyze")} disabled={action.loading} data-testid="analyze">原因を分析</button>
            <button onClick={() => run("improve")} disabled={action.loading} data-testid="improve">改善策を提案</button>
          </div>
          {action.loading && <Loading what={action.kind === "analyze" ? "原因分析" : "改善提案"} />}
          {action.error ? <ErrorBox error={action.error} /> : null}
          {action.answer && <AnswerView answer={action.answer} />}
          <h4>根拠</h4>
          <table className="kv" data-testid="evidence"><tbody>
            {Object.entries(ev).map(([k, v]) => <tr key={k}><th>{label(k)}</th><td><Value v={v} /></td></tr>)}
          </tbody></table>
          <h4>関連レコード（{(d.related_records ?? []).length}件）</h4>
          {(d.related_records ?? []).length ? <RecordsTable rows={d.related_records.slice(0, 30)} /> : <Empty>関連レコードはありません</Empty>}
        </div>
      );
    }}</Async>
  );
}
