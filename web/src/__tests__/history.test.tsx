import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import AssignmentHistory, { when } from "../components/AssignmentHistory";
import Board from "../panes/Board";

afterEach(() => vi.restoreAllMocks());

const assignment = (process: string, version: number) => ({
  assignment_id: 11, location: "横浜", employee_id: 2, employee_name: "鈴木 翼", process, time_block: "morning",
  date: "2026-12-02", planned_hours: 4, status: version > 1 ? "changed" : "planned",
  source: version > 1 ? "manual" : "optimizer", version,
});
const entry = (id: number, by: string, before: string, after: string, reason: string, version: number) => ({
  adjustment_id: id, adjustment_type: "process_change", adjustment_type_label: "工程変更", adjusted_by: by,
  adjusted_at: `2026-12-01T0${id}:15:00`, reason, ai_confidence_score: by === "aimee" ? 0.82 : 0,
  changes: [{ field: "process", label: "工程", before, after }], before_json: "{}", after_json: "{}", version,
});

describe("AssignmentHistory", () => {
  it("lists every change newest first with who, when, kind, before → after and why", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      expect(String(input)).toBe("/api/v1/assignments/11/history");
      return new Response(JSON.stringify({ assignment: assignment("検品", 3), entries: [
        entry(1, "aimee", "ピッキング", "梱包", "梱包の応援", 2), entry(2, "manager001", "梱包", "検品", "", 3)] }));
    });
    render(<AssignmentHistory assignmentId={11} />);
    expect(screen.getByRole("status").textContent).toContain("変更履歴を読み込み中");
    const rows = await screen.findAllByTestId("history-row");
    const head = screen.getByTestId("history-table").querySelector("thead")!.textContent;
    expect(head).toBe("日時変更者種別変更前→変更後理由");
    expect(rows.map((r) => r.querySelector("td")!.textContent)).toEqual(["2026-12-01 02:15", "2026-12-01 01:15"]);
    expect(rows[0].textContent).toContain("manager001");
    expect(rows[0].textContent).toContain("工程: 梱包 → 検品");
    expect(rows[0].textContent).toContain("（記録なし）");
    expect(rows[1].textContent).toContain("AI提案・確信度 82%");
    expect(rows[1].textContent).toContain("工程変更version 2");
    expect(rows[1].textContent).toContain("梱包の応援");
  });

  it("says so when there is no change yet, and shows an error with its request id and a retry", async () => {
    let fail = true;
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => fail
      ? new Response(JSON.stringify({ code: 5, message: "配置 assignment_id=11 は見つかりません" }),
                     { status: 404, headers: { "x-request-id": "rid-404" } })
      : new Response(JSON.stringify({ assignment: assignment("検品", 1), entries: [] })));
    render(<AssignmentHistory assignmentId={11} />);
    const error = await screen.findByRole("alert");
    expect(error.textContent).toContain("見つかりません");
    expect(error.textContent).toContain("rid-404");
    fail = false;
    fireEvent.click(within(error).getByRole("button", { name: "再読み込み" }));
    expect((await screen.findByText("この配置の変更履歴はまだありません")).className).toContain("empty");
  });

  it("formats the recorded time and leaves an unknown one as is", () => {
    expect(when("2026-12-01T08:30:59")).toBe("2026-12-01 08:30");
    expect(when("")).toBe("—");
  });
});

describe("Board history", () => {
  it("opens a cell's history from its dialog and shows the saved change after an edit", async () => {
    let current = assignment("ピッキング", 1);
    const entries: ReturnType<typeof entry>[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = String(input);
      if (url.startsWith("/api/v1/assignments/current"))
        return new Response(JSON.stringify({ location: "横浜", date: "2026-12-02", assignments: [current] }));
      if (url === "/api/v1/assignments/recommend") return new Response(JSON.stringify({ plan: { assignments: [] } }));
      if (url === "/api/v1/assignments/11/history")
        return new Response(JSON.stringify({ assignment: current, entries }));
      if (url === "/api/v1/assignments/11" && init?.method === "PUT") {
        const body = JSON.parse(init.body as string);
        expect(body).toMatchObject({ expected_version: 1, process: "検品", reason: "午前の検品を厚く" });
        current = assignment("検品", 2);
        entries.push(entry(3, body.adjusted_by, "ピッキング", "検品", body.reason, 2));
        return new Response(JSON.stringify({ assignment: current, adjustment_id: 3 }));
      }
      return new Response("{}", { status: 404 });
    });
    render(<Board />);
    fireEvent.click(await screen.findByRole("button", { name: /ピッキング/ }));
    let dialog = screen.getByRole("dialog", { name: "配置の変更" });
    fireEvent.click(within(dialog).getByTestId("open-history"));
    expect(await within(dialog).findByText("この配置の変更履歴はまだありません")).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText("工程"), { target: { value: "検品" } });
    fireEvent.change(within(dialog).getByPlaceholderText("例: 出荷の締めに備えて"), { target: { value: "午前の検品を厚く" } });
    fireEvent.click(within(dialog).getByTestId("save-cell"));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    fireEvent.click(await screen.findByRole("button", { name: /検品/ }));
    dialog = screen.getByRole("dialog", { name: "配置の変更" });
    fireEvent.click(within(dialog).getByTestId("open-history"));
    const [row] = await within(dialog).findAllByTestId("history-row");
    expect(row.textContent).toContain("manager001");
    expect(row.textContent).toContain("工程: ピッキング → 検品");
    expect(row.textContent).toContain("午前の検品を厚く");
  });
});
