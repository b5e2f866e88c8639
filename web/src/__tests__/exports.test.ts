import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, setToken } from "../api/client";
import { downloadExport, exportUrl, fileName } from "../api/exports";

afterEach(() => { vi.restoreAllMocks(); localStorage.clear(); });

describe("exports", () => {
  it("builds the export URL from the pane's filters, leaving empty ones out", () => {
    expect(exportUrl("alerts", "xlsx", { location: "横浜", status: "" }))
      .toBe(`/api/v1/exports/alerts?format=xlsx&location=${encodeURIComponent("横浜")}`);
  });

  it("takes the server's file name when it sends one", () => {
    expect(fileName(`attachment; filename*=UTF-8''${encodeURIComponent("配置.xlsx")}`, "assignments", "xlsx")).toBe("配置.xlsx");
    expect(fileName('attachment; filename="alerts.csv"', "alerts", "csv")).toBe("alerts.csv");
    expect(fileName(null, "alerts", "csv")).toBe("alerts.csv");
  });

  it("sends the token and saves the body as a file", async () => {
    setToken("tok9");
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      new Response(new Blob(["a,b\n"]), { status: 200, headers: { "content-type": "text/csv" } }));
    (URL as unknown as { createObjectURL: unknown }).createObjectURL = vi.fn(() => "blob:x");
    (URL as unknown as { revokeObjectURL: unknown }).revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    expect(await downloadExport("alerts", "csv", { location: "品川" })).toBe("alerts.csv");
    expect((fetchMock.mock.calls[0][1]!.headers as Record<string, string>).Authorization).toBe("Bearer tok9");
    expect(click).toHaveBeenCalledOnce();
  });

  it("turns a refused export into an ApiError with the Japanese message", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      new Response(JSON.stringify({ code: 3, message: "拠点「東京」は見つかりません" }), { status: 404 }));
    await expect(downloadExport("alerts", "xlsx", { location: "東京" })).rejects.toSatisfy(
      (e: unknown) => e instanceof ApiError && e.status === 404 && e.message.includes("東京"));
  });
});
