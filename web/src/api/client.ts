// The console's only way to the backend: the public REST routes (generated from gateway.proto) and the
// chat WebSocket. Requests and responses are typed by the generated JSON shapes.
import { ROUTES, type RouteKey, type RouteTypes } from "./gen/routes";

export type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[]
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type Req<K extends RouteKey> = DeepPartial<RouteTypes[K]["req"]>;
export type Resp<K extends RouteKey> = RouteTypes[K]["resp"];

const TOKEN_KEY = "aimee.token";

/** An API failure in the shape a manager can act on, with the request id for support. */
export class ApiError extends Error {
  constructor(public status: number, public code: string | number, message: string,
              public requestId: string) {
    super(message);
  }
}

export function getToken(): string {
  try { return localStorage.getItem(TOKEN_KEY) ?? ""; } catch { return ""; }
}

export function setToken(token: string): void {
  try { localStorage.setItem(TOKEN_KEY, token.trim()); } catch { /* private mode: memory only */ }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** The app registers a listener that asks the manager for a token when the API answers 401. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** The WebSocket subprotocols that carry the token (browsers cannot set Authorization on a WS): the bearer
 * and the plain `aimee.v1`, which the gateway echoes back (a browser refuses a handshake that echoes none). */
export function wsProtocols(token: string = getToken()): string[] {
  return token ? [`aimee.bearer.${token}`, "aimee.v1"] : [];
}

function fillPath(path: string, req: Record<string, unknown>, used: Set<string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    used.add(name);
    return encodeURIComponent(String(req[name] ?? ""));
  });
}

function query(req: Record<string, unknown>, used: Set<string>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(req)) {
    if (used.has(k) || v === undefined || v === null || v === "" || v === 0) continue;
    if (Array.isArray(v)) v.forEach((x) => params.append(k, String(x)));
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

export const JSON_HEADERS = { "Content-Type": "application/json" };

/** Call one public route: path parameters from req, the rest as query (GET/DELETE) or body. */
export async function call<K extends RouteKey>(key: K, req: Req<K> = {} as Req<K>,
                                               signal?: AbortSignal): Promise<Resp<K>> {
  const route = ROUTES[key];
  const r = req as Record<string, unknown>;
  const used = new Set<string>();
  let url = fillPath(route.path, r, used);
  let body: string | undefined;
  if (route.method === "GET" || route.method === "DELETE") {
    url += query(r, used);
  } else if (route.body === "*") {
    body = JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !used.has(k))));
  } else {
    body = JSON.stringify(r[route.body] ?? {});
  }
  let res: Response;
  try {
    res = await fetch(url, { method: route.method, body, signal,
                             headers: { ...(body ? JSON_HEADERS : {}), ...authHeaders() } });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "NETWORK", "サーバーに接続できません。ネットワークとメッシュの起動状態を確認してください。", "");
  }
  const requestId = res.headers.get("x-request-id") ?? "";
  const text = await res.text();
  let data: unknown = undefined;
  try { data = text ? JSON.parse(text) : {}; } catch { data = undefined; }
  if (!res.ok) {
    if (res.status === 401) unauthorizedListeners.forEach((fn) => fn());
    const err = (data ?? {}) as { code?: string | number; message?: string };
    throw new ApiError(res.status, err.code ?? res.status, describe(res.status, err.message ?? text), requestId);
  }
  return data as Resp<K>;
}

/** The Japanese sentence shown for a failed request. */
export function describe(status: number, message: string): string {
  const base = message?.trim() || "";
  if (status === 401) return `認証が必要です。トークンを入力してください。${base ? `（${base}）` : ""}`;
  if (status === 409) return `他の人が先に変更しました: ${base}`;
  if (status === 503) return `エンジンまたはデータベースに接続できません: ${base}`;
  if (status === 504) return `応答がタイムアウトしました: ${base}`;
  return base || `エラーが発生しました（HTTP ${status}）`;
}
