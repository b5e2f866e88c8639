// Downloads of GET /api/v1/exports/{dataset}: fetched with the token (an <a href> could not send it), then
// handed to the browser as a file with the server's file name.
import { ApiError, authHeaders, describe } from "./client";

export type ExportDataset = "assignments" | "alerts" | "rosters" | "productivity";
export type ExportFormat = "xlsx" | "csv";

export function exportUrl(dataset: ExportDataset, format: ExportFormat, params: Record<string, string>): string {
  const q = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(params)) if (v) q.append(k, v);
  return `/api/v1/exports/${dataset}?${q.toString()}`;
}

/** The file name from Content-Disposition (RFC 5987 filename* first), else `<dataset>.<format>`. */
export function fileName(disposition: string | null, dataset: string, format: string): string {
  const star = disposition?.match(/filename\*=UTF-8''([^;]+)/i);
  if (star) return decodeURIComponent(star[1]);
  const plain = disposition?.match(/filename="?([^";]+)"?/i);
  return plain ? plain[1] : `${dataset}.${format}`;
}

export async function downloadExport(dataset: ExportDataset, format: ExportFormat,
                                     params: Record<string, string>): Promise<string> {
  const res = await fetch(exportUrl(dataset, format, params), { headers: authHeaders() });
  if (!res.ok) {
    const text = await res.text();
    let message = text;
    try { message = JSON.parse(text).message ?? text; } catch { /* not JSON */ }
    throw new ApiError(res.status, res.status, describe(res.status, message), res.headers.get("x-request-id") ?? "");
  }
  const name = fileName(res.headers.get("content-disposition"), dataset, format);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return name;
}
