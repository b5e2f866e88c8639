import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, call, onUnauthorized, setToken, wsProtocols } from "../api/client";

function reply(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "x-request-id": "rid-1", ...headers } });
}

afterEach(() => { vi.restoreAllMocks(); localStorage.clear(); });

describe("call", () => {
  it("puts path parameters in the path and the rest in the query for GET", async () => {
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async () => reply(200, { alerts: [], total: 0 }));
    await call("AlertsApiService.ListAlerts", { location: "横浜", severity: "", page_size: 5 });
    expect(fetchMock.mock.calls[0][0]).toBe(`/api/v1/alerts?location=${encodeURIComponent("横浜")}&page_size=5`);
    await call("AlertsApiService.GetAlert", { alert_id: 7 });
    expect(fetchMock.mock.calls[1][0]).toBe("/api/v1/alerts/7");
  });

  it("sends the body field named by the http rule, and body '*' minus path parameters", async () => {
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async () => reply(200, {}));
    await call("AssignmentsApiService.SimulateAssignments", { simulation: { location: "横浜", demand_change_pct: 20 } });
    expect(JSON.parse(fetchMock.mock.calls[0][1]!.body as string)).toEqual({ location: "横浜", demand_change_pct: 20 });
    await call("AssignmentsApiService.UpdateAssignment", { assignment_id: 9, expected_version: 2, process: "梱包" });
    const [url, init] = fetchMock.mock.calls[1];
    expect(url).toBe("/api/v1/assignments/9");
    expect(init!.method).toBe("PUT");
    expect(JSON.parse(init!.body as string)).toEqual({ expected_version: 2, process: "梱包" });
  });

  it("turns a 409 into an ApiError with the server's message and the request id", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(reply(409, { code: 10, message: "配置 9 は他の操作で更新されています" }));
    const err = await call("AssignmentsApiService.UpdateAssignment", { assignment_id: 9 }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(409);
    expect(err.requestId).toBe("rid-1");
    expect(err.message).toContain("他の人が先に変更しました");
  });

  it("asks for a token on 401 and then sends it as a bearer header and WS subprotocol", async () => {
    const fetchMock = vi.spyOn(globalThis, "fetch").mockResolvedValue(reply(401, { code: 16, message: "token" }));
    const asked = vi.fn();
    const off = onUnauthorized(asked);
    await call("ChatApiService.GetChatHistory", { session_id: "s" }).catch(() => undefined);
    expect(asked).toHaveBeenCalledOnce();
    off();
    setToken("tok123");
    fetchMock.mockImplementation(async () => reply(200, { messages: [] }));
    await call("ChatApiService.GetChatHistory", { session_id: "s" });
    expect((fetchMock.mock.calls[1][1]!.headers as Record<string, string>).Authorization).toBe("Bearer tok123");
    expect(wsProtocols()).toEqual(["aimee.bearer.tok123", "aimee.v1"]);
    expect(wsProtocols("")).toEqual([]);
  });
});
