// Loading, empty and error states in Japanese, and the hook every pane uses to call the API.
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { ApiError } from "../api/client";

export function Loading({ what = "データ" }: { what?: string }) {
  return <div className="state loading" role="status"><span className="spinner" />{what}を読み込み中…</div>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const e = error as ApiError;
  const msg = e instanceof Error ? e.message : String(error);
  return (
    <div className="state error" role="alert">
      <strong>{e?.status === 409 ? "競合" : "エラー"}</strong> {msg}
      {e?.requestId ? <div className="reqid">リクエストID: <code>{e.requestId}</code>（問い合わせ時にお伝えください）</div> : null}
      {onRetry ? <button onClick={onRetry}>再読み込み</button> : null}
    </div>
  );
}

export interface ApiState<T> { data?: T; error?: unknown; loading: boolean; reload: () => void }

/** Runs fn whenever deps change (the previous request is aborted); keeps the last data while reloading. */
export function useApi<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): ApiState<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    fnRef.current(ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ data, loading: false }); },
      (error) => { if (!ctl.signal.aborted) setState({ error, loading: false }); });
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A pane section: loading, error or the content, never a blank box. */
export function Async<T>({ state, what, children }: { state: ApiState<T>; what?: string;
                                                       children: (data: T) => ReactNode }) {
  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}

export function fmt(n: number | undefined, digits = 1): string {
  if (n === undefined || n === null || Number.isNaN(n)) return "—";
  return n.toLocaleString("ja-JP", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
