// The chat WebSocket (/ws/chat/{session_id}): one JSON message per turn, then progress, narrative,
// final and stored events as the gateway sends them.
import type { Gateway_Answer } from "./gen/types";
import { wsProtocols } from "./client";

export type ChatEvent =
  | { type: "progress"; stage: string; status: string; elapsed_ms: number; part?: string; reason?: string;
      intent?: string; location?: string; parser?: string }
  | { type: "narrative"; text: string }
  | { type: "narrative_reset" }
  | { type: "final"; answer: Gateway_Answer }
  | { type: "stored"; session_id: string; message_id: number }
  | { type: "error"; code: string; message: string };

export function wsUrl(path: string, loc: Location = window.location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${path}`;
}

export interface ChatSocket {
  send(message: string, userId?: string): void;
  close(): void;
}

/** Opens the session's socket; events go to onEvent, a closed or refused socket to onClose. */
export function openChat(sessionId: string, onEvent: (e: ChatEvent) => void,
                         onClose: (reason: string) => void): Promise<ChatSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(`/ws/chat/${encodeURIComponent(sessionId)}`), wsProtocols());
    let opened = false;
    ws.onopen = () => {
      opened = true;
      resolve({
        send: (message, userId = "manager001") => ws.send(JSON.stringify({ message, user_id: userId })),
        close: () => ws.close(),
      });
    };
    ws.onmessage = (m) => {
      try { onEvent(JSON.parse(String(m.data)) as ChatEvent); } catch { /* not ours */ }
    };
    ws.onclose = (e) => {
      const reason = e.reason || (opened ? "接続が切れました" : "チャットに接続できません（認証が必要な可能性があります）");
      if (!opened) reject(new Error(reason));
      onClose(reason);
    };
  });
}
