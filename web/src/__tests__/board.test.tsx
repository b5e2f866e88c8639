import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import Board from "../panes/Board";

afterEach(() => vi.restoreAllMocks());

const assignment = (process: string, version: number) => ({
  assignment_id: 11, location: "横浜", employee_id: 2, employee_name: "鈴木 翼", process, time_block: "morning",
  date: "2026-12-02", planned_hours: 4, status: version > 1 ? "changed" : "planned",
  source: version > 1 ? "manual" : "optimizer", version,
});
const plan = {
  location: "横浜", date: "2026-12-02", coverage: [], transfers: [], changes: [], constraint_violations: [],
  optimization_feasible: false, explanation: ["推奨配置の説明"],
  assignments: [{ employee_id: 2, employee_name: "鈴木 翼", process: "梱包", time_block: "morning", hours: 4,
                  is_overtime: false, changed_from_current: true, current_process: "ピッキング" }],
  shortages: [{ process: "検品", time_block: "morning", staff_hours: 2.5, binding_constraint: "veteran",
                reason: "検品 午前 2.5人時不足：熟練者の出勤が2名のみ" }],
  kpis: { coverage_pct: 90, current_plan_coverage_pct: 80, shortage_staff_hours: 2.5, current_plan_shortage_staff_hours: 9,
          overtime_hours: 1, max_person_overtime_hours: 1 },
};

describe("Board", () => {
  it("highlights differences, explains shortages and shows a 409 without overwriting", async () => {
    let currentVersion = 1;
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = String(input);
      if (url.startsWith("/api/v1/assignments/current")) {
        const a = currentVersion === 1 ? assignment("ピッキング", 1) : assignment("出荷", 2);
        return new Response(JSON.stringify({ location: "横浜", date: "2026-12-02", assignments: [a] }));
      }
      if (url === "/api/v1/assignments/recommend") return new Response(JSON.stringify({ plan }));
      if (url === "/api/v1/assignments/11" && init?.method === "PUT") {
        currentVersion = 2;  // someone else saved first
        return new Response(JSON.stringify({ code: 10, message: "配置 11 は他の操作で更新されています（現在の version=2、指定 1）" }),
                            { status: 409, headers: { "x-request-id": "rid-409" } });
      }
      return new Response("{}", { status: 404 });
    });
    render(<Board />);
    const cell = await screen.findByRole("button", { name: /ピッキング/ });
    expect(cell.closest("td")!.className).toContain("diff");
    expect(cell.closest("td")!.textContent).toContain("→ 梱包");
    expect((await screen.findByTestId("shortages")).textContent).toContain("熟練者が足りない");
    fireEvent.click(cell);
    const dialog = screen.getByRole("dialog", { name: "配置の変更" });
    fireEvent.change(within(dialog).getByLabelText("工程"), { target: { value: "検品" } });
    fireEvent.click(within(dialog).getByTestId("save-cell"));
    const conflict = await screen.findByTestId("conflict");
    expect(conflict.textContent).toContain("他の人が先に変更しました");
    expect(conflict.textContent).toContain("rid-409");
    await waitFor(() => expect(conflict.textContent).toContain("現在の値: 出荷（version 2、手動変更"));
    const put = fetchMock.mock.calls.find(([, i]) => i?.method === "PUT")!;
    expect(JSON.parse(put[1]!.body as string)).toMatchObject({ expected_version: 1, process: "検品" });
    expect(within(dialog).getByTestId("save-cell")).toHaveProperty("disabled", true);
  });
});
