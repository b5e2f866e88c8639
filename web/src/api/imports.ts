// Sending a file to the import door (POST /api/v1/imports): base64 in the JSON body, and in pieces
// (upload_id + offset + final) when the file is larger than one request body may be. The server's limits
// are IMPORT_MAX_BYTES (768 KiB decoded) and Envoy's 1 MiB request body; a 512 KiB piece is about 700 KB
// as base64 JSON, under both.
import { call } from "./client";
import type { Gateway_ImportReport } from "./gen/types";

export const PIECE_BYTES = 512 * 1024;

// The kinds of services/dataio/kinds.py (labels as the importer names them); tests/dataio checks the list.
export const IMPORT_KINDS = [
  { id: "locations", label: "拠点" },
  { id: "processes", label: "工程" },
  { id: "employees", label: "従業員" },
  { id: "employee_skills", label: "従業員スキル" },
  { id: "shift_plans", label: "シフト計画" },
  { id: "attendance", label: "勤怠" },
  { id: "productivity", label: "生産性" },
  { id: "workload_forecasts", label: "物量予測" },
  { id: "daily_assignments", label: "日次配置" },
  { id: "knowhow", label: "ノウハウ文書" },
] as const;

export interface ImportChoice {
  kind: string;
  dryRun: boolean;
  skipBadRows: boolean;
}

/** Bytes → base64 without one huge argument list (String.fromCharCode on 32 KiB slices). */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The file's bytes (FileReader where Blob.arrayBuffer is missing, as in older browsers and jsdom). */
function readBytes(blob: Blob): Promise<Uint8Array> {
  if (typeof blob.arrayBuffer === "function") return blob.arrayBuffer().then((b) => new Uint8Array(b));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}

function uploadId(): string {
  const raw = new Uint8Array(16);
  crypto.getRandomValues(raw);
  return Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Validate (dry run) or import one file; `onProgress(sent, total)` after each piece. Returns the report. */
export async function sendImport(file: Blob & { name?: string }, choice: ImportChoice,
                                 onProgress?: (sent: number, total: number) => void,
                                 pieceBytes: number = PIECE_BYTES): Promise<Gateway_ImportReport> {
  const common = { kind: choice.kind, file_name: file.name ?? "", dry_run: choice.dryRun,
                   skip_bad_rows: choice.skipBadRows };
  const bytes = await readBytes(file);
  if (bytes.length <= pieceBytes) {
    const report = await call("ImportsApiService.CreateImport", { ...common, content: toBase64(bytes) });
    onProgress?.(bytes.length, bytes.length);
    return report;
  }
  const id = uploadId();
  let report: Gateway_ImportReport | undefined;
  for (let offset = 0; offset < bytes.length; offset += pieceBytes) {
    const piece = bytes.subarray(offset, offset + pieceBytes);
    const final = offset + piece.length >= bytes.length;
    report = await call("ImportsApiService.CreateImport", {
      ...common, content: toBase64(piece), upload_id: id, offset: String(offset), final });
    onProgress?.(offset + piece.length, bytes.length);
  }
  return report as Gateway_ImportReport;
}
