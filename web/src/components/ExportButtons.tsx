// 「Excelで出力」「CSVで出力」 for a table the pane shows: the same filters, the server's Japanese headers and typed
// cells (dates and numbers stay dates and numbers in Excel).
import { useState } from "react";
import { downloadExport, type ExportDataset, type ExportFormat } from "../api/exports";
import { ErrorBox } from "./ui";

export function ExportButtons({ dataset, params, label }: { dataset: ExportDataset; params: Record<string, string>;
                                                            label: string }) {
  const [state, setState] = useState<{ busy?: ExportFormat; saved?: string; error?: unknown }>({});
  async function run(format: ExportFormat) {
    setState({ busy: format });
    try {
      setState({ saved: await downloadExport(dataset, format, params) });
    } catch (error) {
      setState({ error });
    }
  }
  return (
    <span className="export" data-testid={`export-${dataset}`}>
      <button onClick={() => run("xlsx")} disabled={!!state.busy} aria-label={`${label}をExcelで出力`}>
        {state.busy === "xlsx" ? "出力中…" : "Excelで出力"}</button>
      <button onClick={() => run("csv")} disabled={!!state.busy} aria-label={`${label}をCSVで出力`}>
        {state.busy === "csv" ? "出力中…" : "CSVで出力"}</button>
      {state.saved && <span className="state ok" data-testid="export-saved">保存しました: {state.saved}</span>}
      {state.error ? <ErrorBox error={state.error} /> : null}
    </span>
  );
}
