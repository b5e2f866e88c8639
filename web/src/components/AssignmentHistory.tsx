// The audit trail of one assignment (GET /api/v1/assignments/{id}/history): every recorded change,
// newest first, with who, when, what kind, before → after and why. The engine already words each change
// in Japanese (工程: ピッキング → 検品), so this only lays the rows out.
import { call } from "../api/client";
import type { Solver_AssignmentHistoryEntry } from "../api/gen/types";
import { Async, Empty, useApi } from "./ui";

/** "2026-12-01T08:30:00" → "2026-12-01 08:30" (the database's own time, shown as recorded). */
export function when(at: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(at ?? "");
  return m ? `${m[1]} ${m[2]}` : at || "—";
}

function Changes({ e }: { e: Solver_AssignmentHistoryEntry }) {
  if (!e.changes?.length) return <span className="sub">—</span>;
  return (
    <ul className="changes">{e.changes.map((c) => (
      <li key={c.field}><span className="sub">{c.label}:</span> {c.before || "—"} → <strong>{c.after || "—"}</strong></li>))}
    </ul>);
}

export default function AssignmentHistory({ assignmentId, version }: { assignmentId: number; version?: number }) {
  // The version is part of the key: a change saved elsewhere in the console refetches the trail.
  const state = useApi((s) => call("AssignmentsApiService.GetAssignmentHistory", { assignment_id: assignmentId }, s),
                       [assignmentId, version]);
  return (
    <div className="history" data-testid="history">
      <h4>変更履歴（新しい順）</h4>
      <Async state={state} what="変更履歴">{(d) => (d.entries ?? []).length === 0
        ? <Empty>この配置の変更履歴はまだありません</Empty> : (
        <div className="scroll">
          <table className="grid small" data-testid="history-table">
            <thead><tr><th>日時</th><th>変更者</th><th>種別</th><th>変更前→変更後</th><th>理由</th></tr></thead>
            <tbody>{[...d.entries].reverse().map((e) => (
              <tr key={e.adjustment_id} data-testid="history-row">
                <td>{when(e.adjusted_at)}</td>
                <td>{e.adjusted_by}{e.ai_confidence_score > 0
                  ? <div className="sub">AI提案・確信度 {Math.round(e.ai_confidence_score * 100)}%</div> : null}</td>
                <td>{e.adjustment_type_label || e.adjustment_type}{e.version ? <div className="sub">version {e.version}</div> : null}</td>
                <td><Changes e={e} /></td>
                <td>{e.reason || <span className="sub">（記録なし）</span>}</td>
              </tr>))}</tbody>
          </table>
        </div>)}</Async>
    </div>);
}
