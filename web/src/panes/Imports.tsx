// Data import: choose the kind and a file (CSV / .xlsx, or .txt/.md for know-how), check it first (dry run:
// nothing is written, the report shows the counts and every bad cell with its line, column and value),
// then import it for real. The import button is enabled only after a clean check of the same file and
// options, so a clerk always sees what will change before it changes.
import { useState } from "react";
import type { Gateway_ImportReport } from "../api/gen/types";
import { IMPORT_KINDS, sendImport } from "../api/imports";
import { ErrorBox, fmt } from "../components/ui";

const STATUS_LABELS: Record<string, string> = {
  validated: "確認済み（書き込みなし）", imported: "取り込み完了", rejected: "誤りあり（何も書き込んでいません）",
};

function Report({ report }: { report: Gateway_ImportReport }) {
  const n = (v: string | number) => fmt(Number(v), 0);
  return (
    <div className="card" data-testid="import-report">
      <h3>{report.dry_run ? "確認結果" : "取り込み結果"}: <span className={report.status === "rejected" ? "badge warn" : "badge"}>
        {STATUS_LABELS[report.status] ?? report.status}</span></h3>
      <p data-testid="import-message">{report.message}</p>
      <table className="kv"><tbody>
        <tr><th>データ行</th><td>{n(report.rows)}</td></tr>
        <tr><th>追加</th><td data-testid="count-inserted">{n(report.inserted)}</td></tr>
        <tr><th>更新</th><td data-testid="count-updated">{n(report.updated)}</td></tr>
        <tr><th>変更なし</th><td data-testid="count-unchanged">{n(report.unchanged)}</td></tr>
        {Number(report.deleted) > 0 && <tr><th>削除</th><td>{n(report.deleted)}</td></tr>}
        <tr><th>誤りのある行</th><td data-testid="count-bad">{n(report.bad_row_count)}</td></tr>
        {report.encoding && <tr><th>文字コード</th><td>{report.encoding}</td></tr>}
        {report.sites.length > 0 && <tr><th>拠点</th><td>{report.sites.join("、")}</td></tr>}
        {report.date_from && <tr><th>期間</th><td>{report.date_from} 〜 {report.date_to}</td></tr>}
      </tbody></table>
      {report.bad_rows.length > 0 && (
        <table className="bad-rows" data-testid="bad-rows">
          <thead><tr><th>行</th><th>列</th><th>値</th><th>内容</th></tr></thead>
          <tbody>{report.bad_rows.map((b, i) => (
            <tr key={i}><td>{b.line}</td><td>{b.column}</td><td><code>{b.value}</code></td><td>{b.message}</td></tr>))}
          </tbody>
        </table>)}
      {report.unknown_codes.map((u) => (
        <p key={u.label} className="sub">登録されていない{u.label}: {u.codes.join("、")}</p>))}
      {report.ignored_columns.length > 0 && <p className="sub">使わなかった列: {report.ignored_columns.join("、")}</p>}
      {report.messages.map((m, i) => <p key={i} className="sub">{m}</p>)}
    </div>
  );
}

export default function Imports() {
  const [kind, setKind] = useState<string>("attendance");
  const [file, setFile] = useState<File>();
  const [skipBadRows, setSkipBadRows] = useState(false);
  const [busy, setBusy] = useState<string>();
  const [progress, setProgress] = useState<string>();
  const [report, setReport] = useState<Gateway_ImportReport>();
  const [checked, setChecked] = useState(false);  // the current selection passed a dry run
  const [error, setError] = useState<unknown>();

  function reset() { setReport(undefined); setChecked(false); setError(undefined); }

  async function run(dryRun: boolean) {
    if (!file) return;
    setBusy(dryRun ? "確認中…" : "取り込み中…");
    setError(undefined);
    try {
      const r = await sendImport(file, { kind, dryRun, skipBadRows },
        (sent, total) => setProgress(total > 0 ? `${Math.round((sent / total) * 100)}% 送信` : undefined));
      setReport(r);
      setChecked(dryRun && r.status === "validated");
    } catch (e) {
      setError(e);
      setChecked(false);
    } finally {
      setBusy(undefined);
      setProgress(undefined);
    }
  }

  return (
    <section className="pane imports">
      <div className="pane-head"><h2>データ取込</h2></div>
      <form className="card" data-testid="import-form" onSubmit={(e) => { e.preventDefault(); void run(true); }}>
        <label className="field">データの種類<select aria-label="データの種類" value={kind}
            onChange={(e) => { setKind(e.target.value); reset(); }}>
          {IMPORT_KINDS.map((k) => <option key={k.id} value={k.id}>{k.label}</option>)}</select></label>
        <label className="field">ファイル（CSV・Excel .xlsx、ノウハウは .txt / .md）
          <input type="file" aria-label="ファイル" accept=".csv,.xlsx,.txt,.md"
                 onChange={(e) => { setFile(e.target.files?.[0]); reset(); }} /></label>
        <label><input type="checkbox" checked={skipBadRows} aria-label="誤りのある行を除いて取り込む"
                      onChange={(e) => { setSkipBadRows(e.target.checked); reset(); }} /> 誤りのある行を除いて取り込む</label>
        <div className="actions">
          <button type="submit" disabled={!file || !!busy}>確認する（書き込みなし）</button>{" "}
          <button type="button" disabled={!checked || !!busy} onClick={() => void run(false)}>取り込む</button>
        </div>
        {!checked && file && !busy && !report && <p className="sub">まず「確認する」で内容を確かめてください</p>}
        {busy && <div className="state loading" role="status"><span className="spinner" />{busy}{progress ? ` ${progress}` : ""}</div>}
      </form>
      {error ? <ErrorBox error={error} /> : null}
      {report && <Report report={report} />}
    </section>
  );
}
