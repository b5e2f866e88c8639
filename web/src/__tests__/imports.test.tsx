import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sendImport, toBase64 } from "../api/imports";
import Imports from "../panes/Imports";

afterEach(() => { vi.restoreAllMocks(); localStorage.clear(); });

const base = {
  import_id: "", kind: "attendance", dry_run: true, rows: "2", inserted: "0", updated: "0", unchanged: "0",
  deleted: "0", bad_row_count: "0", bad_rows: [], unknown_codes: [], encoding: "utf-8", format: "csv", sites: ["横浜"],
  date_from: "2026-11-30", date_to: "2026-11-30", ignored_columns: [], messages: [], alerts_created: 0,
  file_name: "a.csv", duplicate_rows: "0", received_bytes: "0",
};
const rejected = { ...base, status: "rejected", message: "2 行中 1 行に誤りがあるため取り込みませんでした", bad_row_count: "1",
  bad_rows: [{ line: 3, column: "勤務日", value: "2026-02-30", message: "3行目 勤務日: 2026-02-30 は日付ではありません" }] };
const validated = { ...base, status: "validated", message: "確認のみ（書き込みなし）: 取り込むと 追加 2 件", inserted: "2" };
const imported = { ...validated, status: "imported", dry_run: false, message: "勤怠を取り込みました: 追加 2 件" };

function respond(...bodies: unknown[]) {
  const spy = vi.spyOn(globalThis, "fetch");
  for (const b of bodies) spy.mockResolvedValueOnce(new Response(JSON.stringify(b), { status: 200 }));
  return spy;
}

function sentBodies(spy: ReturnType<typeof respond>) {
  return spy.mock.calls.map(([, init]) => JSON.parse(String((init as RequestInit).body)));
}

function choose(content: string, name = "attendance.csv") {
  const file = new File([content], name, { type: "text/csv" });
  fireEvent.change(screen.getByLabelText("ファイル"), { target: { files: [file] } });
}

describe("Imports pane", () => {
  it("checks first, shows bad rows with line, column, value and message, and keeps import disabled", async () => {
    const spy = respond(rejected);
    render(<Imports />);
    const importButton = screen.getByRole("button", { name: "取り込む" }) as HTMLButtonElement;
    choose("従業員コード,勤務日\nE1,2026-11-30\nE2,2026-02-30\n");
    fireEvent.click(screen.getByRole("button", { name: "確認する（書き込みなし）" }));
    await waitFor(() => expect(screen.getByTestId("bad-rows")).toBeTruthy());
    const cells = Array.from(screen.getByTestId("bad-rows").querySelectorAll("tbody td")).map((td) => td.textContent);
    expect(cells).toEqual(["3", "勤務日", "2026-02-30", "3行目 勤務日: 2026-02-30 は日付ではありません"]);
    expect(importButton.disabled).toBe(true);
    const [body] = sentBodies(spy);
    expect(spy.mock.calls[0][0]).toBe("/api/v1/imports");
    expect(body).toMatchObject({ kind: "attendance", file_name: "attendance.csv", dry_run: true, skip_bad_rows: false });
    expect(atob(body.content)).toContain("2026-02-30");
  });

  it("imports for real only after a clean check, and shows the counts", async () => {
    const spy = respond(validated, imported);
    render(<Imports />);
    choose("従業員コード,勤務日\nE1,2026-11-30\nE2,2026-11-30\n");
    fireEvent.click(screen.getByRole("button", { name: "確認する（書き込みなし）" }));
    const importButton = screen.getByRole("button", { name: "取り込む" }) as HTMLButtonElement;
    await waitFor(() => expect(importButton.disabled).toBe(false));
    fireEvent.click(importButton);
    await waitFor(() => expect(screen.getByTestId("import-message").textContent).toContain("取り込みました"));
    expect(screen.getByTestId("count-inserted").textContent).toBe("2");
    expect(sentBodies(spy).map((b) => b.dry_run)).toEqual([true, false]);
    expect(importButton.disabled).toBe(true);  // a second import needs a new check
  });

  it("a different file after the check needs a new check", async () => {
    respond(validated);
    render(<Imports />);
    choose("a\n");
    fireEvent.click(screen.getByRole("button", { name: "確認する（書き込みなし）" }));
    const importButton = screen.getByRole("button", { name: "取り込む" }) as HTMLButtonElement;
    await waitFor(() => expect(importButton.disabled).toBe(false));
    choose("b\n", "other.csv");
    expect(importButton.disabled).toBe(true);
  });
});

describe("sendImport", () => {
  it("sends a file larger than one piece as ordered pieces with one upload id and final on the last", async () => {
    const receiving = { ...base, status: "receiving", message: "受信", dry_run: false };
    const spy = respond(receiving, receiving, validated);
    const bytes = new Uint8Array(25).map((_, i) => 65 + i);
    const seen: number[] = [];
    const report = await sendImport(new File([bytes], "big.csv"), { kind: "attendance", dryRun: true, skipBadRows: false },
                                    (sent) => seen.push(sent), 10);
    expect(report.status).toBe("validated");
    const bodies = sentBodies(spy);
    expect(bodies.map((b) => [b.offset, b.final])).toEqual([["0", false], ["10", false], ["20", true]]);
    expect(new Set(bodies.map((b) => b.upload_id)).size).toBe(1);
    expect(bodies[0].upload_id).toMatch(/^[0-9a-f]{32}$/);
    expect(bodies.map((b) => atob(b.content)).join("")).toBe(String.fromCharCode(...bytes));
    expect(bodies.every((b) => b.dry_run === true && b.kind === "attendance")).toBe(true);
    expect(seen).toEqual([10, 20, 25]);
  });

  it("encodes bytes beyond one String.fromCharCode slice", () => {
    const bytes = new Uint8Array(70000).map((_, i) => i % 256);
    expect(atob(toBase64(bytes)).length).toBe(70000);
  });
});
