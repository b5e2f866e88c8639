import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Gateway_Answer } from "../api/gen/types";
import { ApiError } from "../api/client";
import { AnswerView } from "../components/AnswerView";
import { ErrorBox } from "../components/ui";
import { Ask } from "../panes/Ask";

afterEach(() => { vi.restoreAllMocks(); localStorage.clear(); });

const answer = {
  status: "partial", processing_time: "0.8秒", processing_time_ms: 800, model_chain: ["rule_intent", "highs"],
  request: "横浜拠点のアラートを改善して", answer: "横浜拠点の最優先課題は人員不足です。", narrative: "詳しい説明",
  intent: { intent: "improve_alerts", location: "横浜", date: "2026-12-02", confidence: 0.9, date_phrase: "明日" },
  improvement_plan: { action_plan: [{ action: "応援要請", method: "品川から2名", expected_effect: "+5%", timeline: "即日", cost: "", sources: [] }],
                      priority_analysis: {}, quantitative_forecast: {}, implementation_schedule: {} },
  supporting_data: { knowledge_applied: [{ doc_id: "d1", chunk_id: "c1", title: "拠点別ベストプラクティス", text: "本文", score: 0.8 }],
                     constraint_check: { date: "2026-12-02", available_staff: 39, coverage_pct: 87, shortage_staff_hours: 36.5,
                                         constraint_violations: [], optimization_feasible: false, solver_status: "Optimal" } },
  degraded: [{ engine: "knowledge", reason: "タイムアウト", elapsed_ms: 2000 }],
  timings: [], request_id: "rid-42", intent_parser: "rules",
} as unknown as Gateway_Answer;

describe("AnswerView", () => {
  it("shows the answer with its plan, cited know-how, interpretation, degraded part and request id", () => {
    render(<AnswerView answer={answer} />);
    expect(screen.getByText("横浜拠点の最優先課題は人員不足です。")).toBeTruthy();
    expect(screen.getByText("応援要請")).toBeTruthy();
    expect(screen.getByText("拠点別ベストプラクティス")).toBeTruthy();
    expect(screen.getByTestId("interpretation").textContent).toContain("アラート改善");
    expect(screen.getByTestId("degraded").textContent).toContain("ノウハウ検索が利用できませんでした: タイムアウト");
    expect(screen.getByTestId("result").textContent).toContain("87%");
    expect(screen.getByText("rid-42")).toBeTruthy();
    expect(screen.getByText("一部のみ")).toBeTruthy();
  });
});

describe("ErrorBox", () => {
  it("shows the Japanese message and the request id for support", () => {
    render(<ErrorBox error={new ApiError(503, 14, "エンジンまたはデータベースに接続できません: analytics", "rid-9")} />);
    expect(screen.getByRole("alert").textContent).toContain("エンジンまたはデータベースに接続できません");
    expect(screen.getByText("rid-9")).toBeTruthy();
  });
});

class FakeSocket {
  static last: FakeSocket;
  sent: string[] = [];
  onopen?: () => void; onmessage?: (m: { data: string }) => void; onclose?: (e: { reason: string }) => void;
  constructor(public url: string, public protocols: string[]) { FakeSocket.last = this; setTimeout(() => this.onopen?.(), 0); }
  send(s: string) { this.sent.push(s); }
  close() { /* closed */ }
  emit(e: unknown) { this.onmessage?.({ data: JSON.stringify(e) }); }
}

describe("Ask", () => {
  it("shows progress events as they arrive, then the streamed text, then the final answer", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response(JSON.stringify({ session_id: "s", messages: [] })));
    vi.stubGlobal("WebSocket", FakeSocket);
    render(<Ask />);
    await screen.findByText(/まだ会話はありません/);
    fireEvent.change(screen.getByRole("textbox"), { target: { value: "横浜拠点のアラートを改善して" } });
    fireEvent.click(screen.getByRole("button", { name: "送信" }));
    await waitFor(() => expect(FakeSocket.last?.sent.length).toBe(1));
    expect(FakeSocket.last.url).toMatch(/\/ws\/chat\/sess_/);
    expect(JSON.parse(FakeSocket.last.sent[0]).message).toBe("横浜拠点のアラートを改善して");
    act(() => FakeSocket.last.emit({ type: "progress", stage: "intent", status: "ok", elapsed_ms: 1.9, intent: "improve_alerts", location: "横浜" }));
    expect(screen.getAllByTestId("progress-event")).toHaveLength(1);
    expect(screen.getByText("意図解析")).toBeTruthy();
    act(() => FakeSocket.last.emit({ type: "progress", stage: "solver", status: "degraded", elapsed_ms: 6000, reason: "時間切れ" }));
    expect(screen.getAllByTestId("progress-event")).toHaveLength(2);
    expect(screen.getByText("時間切れ")).toBeTruthy();
    act(() => FakeSocket.last.emit({ type: "narrative", text: "途中の" }));
    act(() => FakeSocket.last.emit({ type: "narrative", text: "文章" }));
    expect(screen.getByTestId("streamed").textContent).toBe("途中の文章");
    act(() => FakeSocket.last.emit({ type: "final", answer }));
    expect(await screen.findByTestId("answer")).toBeTruthy();
    expect(window.__aimeeMetrics?.firstProgressMs.length).toBeGreaterThan(0);
    vi.unstubAllGlobals();
  });
});
