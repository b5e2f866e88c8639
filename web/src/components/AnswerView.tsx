// One answer with its supporting data one click away: interpretation (the parsed intent), the result
// numbers, the optimiser's plan and the know-how it cited. Used by Ask and by the alert actions.
import type { Gateway_Answer } from "../api/gen/types";
import { STAGE_LABEL } from "../sites";
import { fmt } from "./ui";

const INTENT_LABEL: Record<string, string> = {
  improve_alerts: "アラート改善", alert_count: "アラート件数", optimize_assignment: "最適配置",
  analyze_productivity: "生産性分析", analyze_attendance: "勤怠分析", forecast_workload: "業務量予測",
  simulate: "シミュレーション",
};

export function AnswerView({ answer }: { answer: Gateway_Answer }) {
  const sd = answer.supporting_data;
  const plan = sd?.engine_data?.plan;
  const intent = answer.intent;
  return (
    <div className="answer" data-testid="answer">
      <p className="answer-text">{answer.answer}</p>
      {answer.narrative && answer.narrative !== answer.answer && (
        <p className="narrative">{answer.narrative.startsWith(answer.answer) ? answer.narrative.slice(answer.answer.length).trim() : answer.narrative}</p>)}
      <div className="meta">
        <span className={`badge ${answer.status === "success" ? "ok" : "warn"}`}>
          {answer.status === "success" ? "完了" : "一部のみ"}</span>
        <span>処理時間 {answer.processing_time}</span>
        <span>実行: {(answer.model_chain ?? []).join(" → ")}</span>
        <span className="reqid">リクエストID <code>{answer.request_id}</code></span>
      </div>
      {(answer.degraded ?? []).length > 0 && (
        <div className="state error" data-testid="degraded">
          {answer.degraded.map((d) => (
            <div key={d.engine}>{STAGE_LABEL[d.engine] ?? d.engine}が利用できませんでした: {d.reason}</div>))}
        </div>
      )}
      <details data-testid="interpretation">
        <summary>解釈（意図）</summary>
        {intent ? (
          <table className="kv"><tbody>
            <tr><th>意図</th><td>{INTENT_LABEL[intent.intent] ?? intent.intent}</td></tr>
            <tr><th>拠点</th><td>{intent.location || "—"}</td></tr>
            <tr><th>日付</th><td>{intent.date || "—"} {intent.date_phrase}</td></tr>
            <tr><th>信頼度</th><td>{fmt(intent.confidence * 100, 0)}%（{answer.intent_parser}）</td></tr>
            {intent.from_context && <tr><th>文脈</th><td>前の質問から補完</td></tr>}
          </tbody></table>) : <p>解釈はありません</p>}
      </details>
      {(sd?.mysql_analysis || sd?.constraint_check) && (
        <details data-testid="result">
          <summary>結果の数値</summary>
          <table className="kv"><tbody>
            {sd?.mysql_analysis && <>
              <tr><th>未対応アラート</th><td>{sd.mysql_analysis.alert_count}件</td></tr>
              <tr><th>平均生産性（30日）</th><td>{fmt(sd.mysql_analysis.productivity_avg)}</td></tr>
              <tr><th>出勤率（30日）</th><td>{fmt(sd.mysql_analysis.attendance_rate)}%</td></tr>
              <tr><th>平均残業</th><td>{fmt(sd.mysql_analysis.overtime_hours_avg, 2)}時間/日</td></tr>
              <tr><th>欠勤が多い曜日</th><td>{sd.mysql_analysis.worst_absence_weekday || "—"}</td></tr>
            </>}
            {sd?.constraint_check && <>
              <tr><th>対象日</th><td>{sd.constraint_check.date}</td></tr>
              <tr><th>出勤可能人数</th><td>{sd.constraint_check.available_staff}名</td></tr>
              <tr><th>カバー率</th><td>{fmt(sd.constraint_check.coverage_pct)}%</td></tr>
              <tr><th>不足</th><td>{fmt(sd.constraint_check.shortage_staff_hours)}人時</td></tr>
              <tr><th>制約違反</th><td>{(sd.constraint_check.constraint_violations ?? []).join("、") || "なし"}</td></tr>
            </>}
          </tbody></table>
          <p className="source">出典: aimee_db（分析エンジン）・HiGHS（最適化エンジン）</p>
        </details>
      )}
      {answer.improvement_plan && (answer.improvement_plan.action_plan ?? []).length > 0 && (
        <details data-testid="plan" open>
          <summary>改善計画（{answer.improvement_plan.action_plan.length}件）</summary>
          <ol>{answer.improvement_plan.action_plan.map((a, i) => (
            <li key={i}><strong>{a.action}</strong> — {a.method}
              <div className="sub">効果: {a.expected_effect} ／ 時期: {a.timeline}{a.cost ? ` ／ コスト: ${a.cost}` : ""}</div>
            </li>))}</ol>
        </details>
      )}
      {plan && (
        <details data-testid="solver-plan">
          <summary>最適化の計画（{plan.date}、カバー率 {fmt(plan.kpis?.coverage_pct)}%）</summary>
          <ul>{(plan.explanation ?? []).map((e, i) => <li key={i}>{e}</li>)}</ul>
          {(plan.shortages ?? []).length > 0 && (
            <table className="grid"><thead><tr><th>工程</th><th>時間帯</th><th>不足(人時)</th><th>理由</th></tr></thead>
              <tbody>{plan.shortages.slice(0, 10).map((s, i) => (
                <tr key={i}><td>{s.process}</td><td>{s.time_block}</td><td>{fmt(s.staff_hours)}</td><td>{s.reason}</td></tr>))}
              </tbody></table>)}
        </details>
      )}
      {(sd?.knowledge_applied ?? []).length > 0 && (
        <details data-testid="knowledge">
          <summary>参照したノウハウ（{sd!.knowledge_applied.length}件）</summary>
          <ul>{sd!.knowledge_applied.map((k) => (
            <li key={k.chunk_id}><strong>{k.title}</strong>（スコア {fmt(k.score, 2)}）<div className="sub">{k.text}</div></li>))}</ul>
        </details>
      )}
    </div>
  );
}
