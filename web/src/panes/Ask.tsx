// Ask: the conversation over WS /ws/chat/{session_id}. Progress events (intent, each engine with its
// time, degraded parts) appear as they arrive, then the streamed narrative, then the final answer.
import { useEffect, useRef, useState } from "react";
import { call } from "../api/client";
import { openChat, type ChatEvent, type ChatSocket } from "../api/chat";
import type { Gateway_Answer, Gateway_ChatMessage } from "../api/gen/types";
import { AnswerView } from "../components/AnswerView";
import { ErrorBox, Loading, fmt, useApi } from "../components/ui";
import { recordCited } from "../cited";
import { STAGE_LABEL } from "../sites";

const SESSION_KEY = "aimee.session";
const EXAMPLES = ["横浜拠点のアラートを改善して", "現在のアラート件数は？", "明日の最適配置を提案して", "札幌は？"];

function newSessionId(): string {
  return `sess_${new Date().toISOString().slice(0, 10).replace(/-/g, "")}_${Math.random().toString(36).slice(2, 8)}`;
}

function sessionId(): string {
  try {
    const s = localStorage.getItem(SESSION_KEY);
    if (s) return s;
    const n = newSessionId();
    localStorage.setItem(SESSION_KEY, n);
    return n;
  } catch { return newSessionId(); }
}

type Progress = Extract<ChatEvent, { type: "progress" }>;
interface Turn { query: string; progress: Progress[]; narrative: string; final?: Gateway_Answer; error?: string;
                 sentAt: number; firstEventMs?: number }

/** Timings the browser tests and the bench read (first progress event after send). */
declare global { interface Window { __aimeeMetrics?: { firstProgressMs: number[] } } }
function recordFirstProgress(ms: number) {
  window.__aimeeMetrics ??= { firstProgressMs: [] };
  window.__aimeeMetrics.firstProgressMs.push(ms);
}

export function Ask() {
  const [session, setSession] = useState(sessionId);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [text, setText] = useState("");
  const [socketError, setSocketError] = useState<string>();
  const socket = useRef<ChatSocket | null>(null);
  const history = useApi((signal) => call("ChatApiService.GetChatHistory", { session_id: session, limit: 50 }, signal),
                         [session]);

  useEffect(() => () => { socket.current?.close(); socket.current = null; }, [session]);

  const update = (fn: (t: Turn) => Turn) =>
    setTurns((ts) => ts.length ? [...ts.slice(0, -1), fn(ts[ts.length - 1])] : ts);

  const onEvent = (e: ChatEvent) => {
    update((t) => {
      const now = performance.now();
      const first = t.firstEventMs === undefined && e.type === "progress" ? now - t.sentAt : t.firstEventMs;
      if (first !== undefined && t.firstEventMs === undefined) recordFirstProgress(first);
      const base = { ...t, firstEventMs: first };
      switch (e.type) {
        case "progress": return { ...base, progress: [...t.progress, e] };
        case "narrative": return { ...base, narrative: t.narrative + e.text };
        case "narrative_reset": return { ...base, narrative: "" };
        case "final": recordCited(t.query, e.answer.supporting_data?.knowledge_applied); return { ...base, final: e.answer };
        case "error": return { ...base, error: e.message };
        default: return base;
      }
    });
  };

  async function send(q: string) {
    const query = q.trim();
    if (!query) return;
    setSocketError(undefined);
    setText("");
    setTurns((ts) => [...ts, { query, progress: [], narrative: "", sentAt: performance.now() }]);
    try {
      if (!socket.current) {
        socket.current = await openChat(session, onEvent, (reason) => {
          socket.current = null;
          setSocketError(reason);
        });
      }
      update((t) => ({ ...t, sentAt: performance.now() }));
      socket.current.send(query);
    } catch (e) {
      update((t) => ({ ...t, error: (e as Error).message }));
    }
  }

  const busy = turns.length > 0 && !turns[turns.length - 1].final && !turns[turns.length - 1].error;
  const past: Gateway_ChatMessage[] = history.data?.messages ?? [];
  return (
    <section className="pane ask">
      <div className="pane-head">
        <h2>問い合わせ</h2>
        <span className="sub">会話ID <code>{session}</code></span>
        <button className="secondary" onClick={() => {
          const n = newSessionId();
          try { localStorage.setItem(SESSION_KEY, n); } catch { /* ignore */ }
          setTurns([]); setSession(n);
        }}>新しい会話</button>
      </div>
      <div className="conversation" data-testid="conversation">
        {history.loading && !history.data && <Loading what="会話履歴" />}
        {history.error ? <ErrorBox error={history.error} onRetry={history.reload} /> : null}
        {past.length === 0 && turns.length === 0 && !history.loading && (
          <div className="state empty">まだ会話はありません。下の入力欄から質問するか、例を選んでください。</div>)}
        {past.map((m) => (
          <div key={m.message_id} className={`msg ${m.role}`} data-testid="history-message">
            <div className="who">{m.role === "user" ? "あなた" : "AIMEE"} <span className="sub">{m.created_at?.replace("T", " ").slice(0, 16)}</span></div>
            <div className="body">{m.content}</div>
          </div>))}
        {turns.map((t, i) => (
          <div key={i} className="turn" data-testid="turn">
            <div className="msg user"><div className="who">あなた</div><div className="body">{t.query}</div></div>
            <div className="msg assistant">
              <div className="who">AIMEE</div>
              <ol className="progress" data-testid="progress">
                {t.progress.map((p, j) => (
                  <li key={j} className={p.status === "degraded" ? "warn" : ""} data-testid="progress-event">
                    <span className="stage">{STAGE_LABEL[p.stage] ?? p.stage}</span>
                    <span className={`badge ${p.status === "degraded" ? "warn" : "ok"}`}>{p.status}</span>
                    <span>{fmt(p.elapsed_ms)} ms</span>
                    {p.stage === "intent" && p.intent && <span className="sub">{p.intent}・{p.location}</span>}
                    {p.reason && <span className="sub">{p.reason}</span>}
                  </li>))}
                {!t.final && !t.error && <li className="pending"><span className="spinner" />処理中…</li>}
              </ol>
              {t.firstEventMs !== undefined && <div className="sub">最初の進捗まで {fmt(t.firstEventMs, 0)} ms</div>}
              {!t.final && t.narrative && <p className="narrative streaming" data-testid="streamed">{t.narrative}</p>}
              {t.final && <AnswerView answer={t.final} />}
              {t.error && <div className="state error" role="alert">{t.error}</div>}
            </div>
          </div>))}
      </div>
      {socketError && !busy && <div className="sub">{socketError}（次の送信で再接続します）</div>}
      <form className="composer" onSubmit={(e) => { e.preventDefault(); void send(text); }}>
        <textarea name="query" value={text} rows={2} placeholder="例: 横浜拠点のアラートを改善して"
                  onChange={(e) => setText(e.target.value)}
                  onKeyDown={(e) => { if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) { e.preventDefault(); void send(text); } }} />
        <button type="submit" disabled={busy || !text.trim()}>送信</button>
      </form>
      <div className="examples">{EXAMPLES.map((q) => (
        <button key={q} className="chip" disabled={busy} onClick={() => void send(q)}>{q}</button>))}</div>
    </section>
  );
}
