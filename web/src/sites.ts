// The sample data's sites (services.common.sites); the API answers NOT_FOUND with the valid names
// for any other, which the console shows as is.
export const SITES = ["横浜", "品川", "札幌", "大阪", "佐世保"] as const;
export const PROCESSES = ["ピッキング", "仕分け", "梱包", "検品", "入荷", "出荷"] as const;
export const BLOCK_LABEL: Record<string, string> = { morning: "午前", afternoon: "午後", overtime: "残業" };
export const BLOCKS = ["morning", "afternoon", "overtime"];

export function isoDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function addDays(days: number, from: Date = new Date()): string {
  const d = new Date(from);
  d.setDate(d.getDate() + days);
  return isoDate(d);
}

export const SEVERITY_LABEL: Record<string, string> = {
  critical: "緊急", high: "高", medium: "中", low: "低",
};
export const STATUS_LABEL: Record<string, string> = {
  open: "未対応", acknowledged: "確認済み", resolved: "解決済み",
};
export const STAGE_LABEL: Record<string, string> = {
  intent: "意図解析", analytics: "分析", solver: "最適化", knowledge: "ノウハウ検索", synthesis: "回答作成",
};
