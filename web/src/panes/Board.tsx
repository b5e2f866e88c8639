// Assignment board for one site and date (default tomorrow): the stored plan next to the optimiser's
// recommendation with differences highlighted, shortages with the binding constraint in words, a
// what-if panel (simulate) and cell edits with optimistic concurrency: a 409 is shown, never overwritten.
// A cell's dialog also opens its audit trail (every recorded change of the assignment).
import { useMemo, useState } from "react";
import { ApiError, call } from "../api/client";
import type { Solver_Assignment, Solver_PlannedAssignment, Solver_SimulateResponse } from "../api/gen/types";
import AssignmentHistory from "../components/AssignmentHistory";
import { Async, Empty, ErrorBox, Loading, fmt, useApi } from "../components/ui";
import { BLOCKS, BLOCK_LABEL, PROCESSES, SITES, addDays } from "../sites";
import { ExportButtons } from "../components/ExportButtons";

const BINDING_LABEL: Record<string, string> = {
  skill: "スキルを持つ人が足りない", veteran: "熟練者が足りない", new_staff: "新人だけにできない",
  hours: "他の工程にも人が必要", overtime_limit: "残業上限", cutoff: "締め時刻", availability: "出勤人数が足りない",
};

interface Row { id: number; name: string; cur: Record<string, Solver_Assignment>; rec: Record<string, Solver_PlannedAssignment> }

export default function Board() {
  const [site, setSite] = useState<string>(SITES[0]);
  const [date, setDate] = useState(addDays(1));
  const current = useApi((s) => call("AssignmentsApiService.GetCurrentAssignments", { location: site, date }, s), [site, date]);
  const rec = useApi((s) => call("AssignmentsApiService.RecommendAssignments", { recommend: { location: site, date } }, s), [site, date]);
  const [editing, setEditing] = useState<Solver_Assignment>();

  const rows = useMemo(() => {
    const m = new Map<number, Row>();
    const row = (id: number, name: string) => m.get(id) ?? (m.set(id, { id, name, cur: {}, rec: {} }), m.get(id)!);
    for (const a of current.data?.assignments ?? []) row(a.employee_id, a.employee_name).cur[a.time_block] = a;
    for (const a of rec.data?.plan?.assignments ?? []) row(a.employee_id, a.employee_name).rec[a.time_block] = a;
    return [...m.values()].sort((a, b) => a.id - b.id);
  }, [current.data, rec.data]);
  const plan = rec.data?.plan;
  const diffs = rows.reduce((n, r) => n + BLOCKS.filter((b) => r.rec[b] && r.cur[b]?.process !== r.rec[b].process).length, 0);

  return (
    <section className="pane board" data-testid={`board-${site}`}>
      <div className="pane-head">
        <h2>配置ボード</h2>
        <label className="field">拠点
          <select value={site} onChange={(e) => setSite(e.target.value)} aria-label="拠点">
            {SITES.map((s) => <option key={s}>{s}</option>)}</select></label>
        <label className="field">日付<input type="date" value={date} onChange={(e) => setDate(e.target.value)} aria-label="日付" /></label>
        <ExportButtons dataset="assignments" label="配置表" params={{ location: site, date_from: date, date_to: date }} />
      </div>
      {plan?.kpis && (
        <div className="kpis small" data-testid="board-kpis">
          <div className="kpi card"><div className="label">推奨のカバー率</div><div className="value">{fmt(plan.kpis.coverage_pct)}%</div>
            <div className="sub">現計画 {fmt(plan.kpis.current_plan_coverage_pct)}%</div></div>
          <div className="kpi card"><div className="label">不足</div><div className="value">{fmt(plan.kpis.shortage_staff_hours)}人時</div>
            <div className="sub">現計画 {fmt(plan.kpis.current_plan_shortage_staff_hours)}人時</div></div>
          <div className="kpi card"><div className="label">差分</div><div className="value">{diffs}か所</div>
            <div className="sub">推奨と現計画が異なるセル</div></div>
          <div className="kpi card"><div className="label">残業</div><div className="value">{fmt(plan.kpis.overtime_hours)}h</div>
            <div className="sub">最大 {fmt(plan.kpis.max_person_overtime_hours)}h/人</div></div>
        </div>)}
      {current.error ? <ErrorBox error={current.error} onRetry={current.reload} /> : null}
      {rec.error ? <ErrorBox error={rec.error} onRetry={rec.reload} /> : null}
      {editing && (
        // A dialog, so the editor is in view on a tablet too (where the side column sits below the grid).
        <div className="modal" role="dialog" aria-label="配置の変更">
          <EditCell key={editing.assignment_id} a={editing} onClose={() => setEditing(undefined)}
                    onSaved={() => { setEditing(undefined); current.reload(); }} reload={current.reload}
                    latest={(current.data?.assignments ?? []).find((x) => x.assignment_id === editing.assignment_id)} />
        </div>)}
      <div className="split wide">
        <div className="grid-wrap">
          {current.loading && !current.data ? <Loading what="配置" /> : rows.length === 0 ? <Empty>{date} の配置はありません</Empty> : (
            <table className="grid board-grid" data-testid="board-grid">
              <thead><tr><th>従業員</th>{BLOCKS.map((b) => <th key={b}>{BLOCK_LABEL[b]}<div className="sub">現計画 / 推奨</div></th>)}</tr></thead>
              <tbody>{rows.map((r) => (
                <tr key={r.id}>
                  <th>{r.name}<div className="sub">#{r.id}</div></th>
                  {BLOCKS.map((b) => {
                    const c = r.cur[b]; const p = r.rec[b];
                    const diff = !!p && c?.process !== p.process;
                    return (
                      <td key={b} className={diff ? "diff" : ""} data-testid="cell" data-diff={diff ? "1" : "0"}
                          data-assignment={c?.assignment_id}>
                        {c ? <button className="cell-btn" onClick={() => setEditing(c)} title="クリックで変更">{c.process}
                                {c.source === "manual" || c.status === "changed" ? <span className="sub"> ✎</span> : null}</button>
                           : <span className="sub">—</span>}
                        {p && <div className={`rec ${diff ? "changed" : ""}`}>{diff ? "→ " : ""}{p.process}{p.is_overtime ? "（残業）" : ""}</div>}
                      </td>);
                  })}
                </tr>))}</tbody>
            </table>)}
        </div>
        <aside className="side">
          <div className="card" data-testid="shortages">
            <h3>不足（工程・時間帯）</h3>
            <Async state={rec} what="推奨配置">{(d) => (d.plan?.shortages ?? []).length === 0 ? <Empty>不足はありません</Empty> : (
              <ul className="shortages">{d.plan!.shortages.map((s, i) => (
                <li key={i}><strong>{s.process} {BLOCK_LABEL[s.time_block] ?? s.time_block}</strong> {fmt(s.staff_hours)}人時
                  <span className="badge warn">{BINDING_LABEL[s.binding_constraint] ?? s.binding_constraint}</span>
                  <div className="sub">{s.reason}</div></li>))}</ul>)}</Async>
            {plan && <ul className="sub">{(plan.explanation ?? []).slice(0, 3).map((e, i) => <li key={i}>{e}</li>)}</ul>}
          </div>
          <WhatIf site={site} date={date} people={rows.map((r) => ({ id: r.id, name: r.name }))} />
        </aside>
      </div>
    </section>
  );
}

function EditCell({ a, latest, onClose, onSaved, reload }: { a: Solver_Assignment; latest?: Solver_Assignment;
  onClose: () => void; onSaved: () => void; reload: () => void }) {
  const [process, setProcess] = useState(a.process);
  const [reason, setReason] = useState("");
  const [state, setState] = useState<{ saving?: boolean; error?: unknown }>({});
  const [showHistory, setShowHistory] = useState(false);
  async function save() {
    setState({ saving: true });
    try {
      await call("AssignmentsApiService.UpdateAssignment", { assignment_id: a.assignment_id, expected_version: a.version,
        process, reason: reason || "管理コンソールから変更", adjusted_by: "manager001" });
      onSaved();
    } catch (error) {
      setState({ error });
      if (error instanceof ApiError && error.status === 409) reload();
    }
  }
  const conflict = state.error instanceof ApiError && state.error.status === 409;
  return (
    <div className={`card edit${showHistory ? " with-history" : ""}`} data-testid="edit-cell">
      <h3>{a.employee_name}・{BLOCK_LABEL[a.time_block] ?? a.time_block} を変更</h3>
      <div className="sub">配置 #{a.assignment_id}・version {a.version}・{a.planned_hours}時間</div>
      <label className="field">工程
        <select value={process} onChange={(e) => setProcess(e.target.value)} aria-label="工程">
          {[...new Set([a.process, ...PROCESSES])].map((p) => <option key={p}>{p}</option>)}</select></label>
      <label className="field">理由<input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="例: 出荷の締めに備えて" /></label>
      {conflict ? (
        <div className="state error" role="alert" data-testid="conflict">
          <strong>競合：この配置は他の人が先に変更しました。</strong>
          <div>{(state.error as ApiError).message}</div>
          {latest && latest.version !== a.version && (
            <div>現在の値: <strong>{latest.process}</strong>（version {latest.version}、{latest.source === "manual" ? "手動変更" : latest.source}・状態 {latest.status}）</div>)}
          {(state.error as ApiError).requestId && <div className="reqid">リクエストID <code>{(state.error as ApiError).requestId}</code></div>}
          <div className="sub">あなたの変更は保存されていません。最新を読み込んでからやり直してください。</div>
          <button onClick={() => { reload(); onClose(); }} data-testid="reload-latest">最新を読み込む</button>
        </div>
      ) : state.error ? <ErrorBox error={state.error} /> : null}
      <div className="row">
        <button onClick={save} disabled={state.saving || conflict || process === a.process} data-testid="save-cell">保存</button>
        <button className="secondary" onClick={() => setShowHistory(!showHistory)} aria-expanded={showHistory}
                data-testid="open-history">{showHistory ? "変更履歴を閉じる" : "変更履歴"}</button>
        <button className="secondary" onClick={onClose}>閉じる</button>
      </div>
      {showHistory && <AssignmentHistory assignmentId={a.assignment_id} version={latest?.version ?? a.version} />}
    </div>
  );
}

function WhatIf({ site, date, people }: { site: string; date: string; people: { id: number; name: string }[] }) {
  const [demand, setDemand] = useState(20);
  const [absent, setAbsent] = useState<number[]>([]);
  const [ot, setOt] = useState("");
  const [cutoff, setCutoff] = useState("");
  const [state, setState] = useState<{ loading?: boolean; result?: Solver_SimulateResponse; error?: unknown }>({});
  async function run() {
    setState({ loading: true });
    try {
      const result = await call("AssignmentsApiService.SimulateAssignments", { simulation: {
        location: site, date, demand_change_pct: demand, absent_employee_ids: absent,
        overtime_limit_hours: ot ? Number(ot) : 0, cutoff_time: cutoff } });
      setState({ result });
    } catch (error) { setState({ error }); }
  }
  const r = state.result;
  const row = (label: string, b?: number, s?: number, d?: number, unit = "") => (
    <tr><th>{label}</th><td>{fmt(b)}{unit}</td><td>{fmt(s)}{unit}</td>
      <td className={d && d > 0 ? "up" : d && d < 0 ? "down" : ""}>{d && d > 0 ? "+" : ""}{fmt(d)}{unit}</td></tr>);
  return (
    <div className="card whatif" data-testid="whatif">
      <h3>もしも（シミュレーション）</h3>
      <label className="field">物量の増減 {demand > 0 ? "+" : ""}{demand}%
        <input type="range" min={-50} max={100} step={5} value={demand} aria-label="物量の増減"
               onChange={(e) => setDemand(Number(e.target.value))} /></label>
      <label className="field">残業上限（h/人）<input type="number" min={0} step={0.5} value={ot} placeholder="既定"
               onChange={(e) => setOt(e.target.value)} aria-label="残業上限" /></label>
      <label className="field">締め時刻<input type="time" value={cutoff} onChange={(e) => setCutoff(e.target.value)} aria-label="締め時刻" /></label>
      <details><summary>休む人（{absent.length}名）</summary>
        <div className="checks">{people.map((p) => (
          <label key={p.id}><input type="checkbox" checked={absent.includes(p.id)}
            onChange={(e) => setAbsent(e.target.checked ? [...absent, p.id] : absent.filter((x) => x !== p.id))} />{p.name}</label>))}</div>
      </details>
      <button onClick={run} disabled={state.loading} data-testid="simulate">{state.loading ? "計算中…" : "シミュレーション実行"}</button>
      {state.error ? <ErrorBox error={state.error} /> : null}
      {r && (
        <div data-testid="whatif-result">
          <table className="grid small"><thead><tr><th></th><th>基準</th><th>シナリオ</th><th>差</th></tr></thead><tbody>
            {row("カバー率", r.baseline?.kpis?.coverage_pct, r.scenario?.kpis?.coverage_pct, r.delta?.coverage_pct, "%")}
            {row("不足", r.baseline?.kpis?.shortage_staff_hours, r.scenario?.kpis?.shortage_staff_hours, r.delta?.shortage_staff_hours, "人時")}
            {row("残業", r.baseline?.kpis?.overtime_hours, r.scenario?.kpis?.overtime_hours, r.delta?.overtime_hours, "h")}
            {row("配置人数", r.baseline?.kpis?.assigned_staff, r.scenario?.kpis?.assigned_staff, r.delta?.assigned_staff, "名")}
          </tbody></table>
          <ul>{(r.explanation ?? []).map((e, i) => <li key={i}>{e}</li>)}</ul>
        </div>)}
    </div>
  );
}
