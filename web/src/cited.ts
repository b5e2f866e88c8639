// The know-how the last answers cited, kept in this browser so the Know-how pane can show it.
import type { Gateway_KnowledgeApplied } from "./api/gen/types";

const KEY = "aimee.cited";
export interface Cited extends Gateway_KnowledgeApplied { request: string; at: string }

export function recordCited(request: string, items: Gateway_KnowledgeApplied[] | undefined): void {
  if (!items?.length) return;
  const at = new Date().toISOString();
  const next = [...items.map((k) => ({ ...k, request, at })), ...loadCited()].slice(0, 20);
  try { localStorage.setItem(KEY, JSON.stringify(next)); } catch { /* ignore */ }
}

export function loadCited(): Cited[] {
  try { return JSON.parse(localStorage.getItem(KEY) ?? "[]") as Cited[]; } catch { return []; }
}
