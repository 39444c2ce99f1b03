// The plugin against a mocked `logseq` API and a mocked server (node:test).
import assert from "node:assert/strict";
import { test } from "node:test";

import { isLoopback, NOT_RUNNING, type Inspection } from "../src/client";
import type { Host, Panel, RequestOptions, SlotEvent } from "../src/host";
import { Plugin, RENDERER } from "../src/plugin";
import { esc } from "../src/view";

const NAME = "巡察/2026年第一轮/某某集团有限公司";

function inspection(name = NAME): Inspection {
  return {
    name, unit: "某某集团有限公司", current_stage_name: "巡察了解", done: 16, total: 53, percent: 30,
    stages: [{ id: "prep", name: "巡察准备", done: 13, total: 13, percent: 100, state: "已完成" },
      { id: "know", name: "巡察了解", done: 3, total: 10, percent: 30, state: "进行中" }],
    overdue: [{ activity_id: "know.09", activity_name: "中期汇报", due: "2026-03-22", days_left: -59, colour: "red", status: "in_progress" }],
    due_soon: [],
  };
}

type Route = (opts: RequestOptions) => unknown;

function mock(routes: Record<string, Route> | "down", settings: Record<string, unknown> = { token: "tok" }) {
  const calls = {
    requests: [] as RequestOptions[], ui: [] as Array<{ key: string; slot?: string; template: string }>,
    msgs: [] as Array<[string, string | undefined]>, slash: new Map<string, () => unknown>(),
    toolbar: [] as string[], inserted: [] as string[], shown: 0, hidden: 0,
    model: {} as Record<string, (...a: never[]) => unknown>, slotted: null as null | ((e: SlotEvent) => unknown),
    panel: [] as string[], action: null as null | ((a: string, f: Record<string, string>) => void), page: "",
  };
  const host: Host = {
    settings,
    useSettingsSchema: () => undefined,
    provideModel: (m) => { calls.model = m; },
    provideUI: (ui) => { calls.ui.push(ui); },
    showMainUI: () => { calls.shown++; },
    hideMainUI: () => { calls.hidden++; },
    App: {
      registerUIItem: (_t, opts) => { calls.toolbar.push(opts.template); },
      onMacroRendererSlotted: (cb) => { calls.slotted = cb; },
    },
    Editor: {
      registerSlashCommand: (tag, action) => { calls.slash.set(tag, action); },
      insertAtEditingCursor: async (c) => { calls.inserted.push(c); },
      getCurrentPage: async () => (calls.page ? { originalName: calls.page } : null),
    },
    UI: { showMsg: (c, s) => { calls.msgs.push([c, s]); } },
    Request: {
      _request: async (opts) => {
        calls.requests.push(opts);
        if (routes === "down") throw new Error("connect ECONNREFUSED 127.0.0.1:8765");
        const path = new URL(opts.url).pathname;
        const route = routes[path];
        if (!route) return { error: "没有这个地址" };
        return route(opts);
      },
    },
  };
  const panel: Panel = {
    render: (html) => { calls.panel.push(html); },
    onAction: (h) => { calls.action = h; },
  };
  const plugin = new Plugin(host, panel);
  plugin.setup();
  return { plugin, calls };
}

const healthy = (allow_write = true): Route => () => ({ ok: true, allow_write, version: 1 });

test("registers the toolbar button, the renderer and both slash commands", () => {
  const { calls } = mock({});
  assert.equal(calls.toolbar.length, 1);
  assert.match(calls.toolbar[0], /data-on-click="openDashboard"/);
  assert.ok(calls.model.openDashboard);
  assert.ok(calls.slotted);
  assert.deepEqual([...calls.slash.keys()].sort(), ["巡察进度", "新建巡察"].sort());
});

test("/巡察进度 inserts the renderer macro", async () => {
  const { calls } = mock({});
  await calls.slash.get("巡察进度")!();
  assert.deepEqual(calls.inserted, [`{{renderer ${RENDERER}}}`]);
});

test("the toolbar button opens the dashboard with the token, only to the local server", async () => {
  const { plugin, calls } = mock({ "/api/health": healthy(false) }, { serverUrl: "http://127.0.0.1:9000/", token: "s3cret" });
  await plugin.openDashboard();
  assert.equal(calls.shown, 1);
  assert.equal(calls.requests[0].url, "http://127.0.0.1:9000/api/health");
  assert.equal(calls.requests[0].headers["X-Xuncha-Token"], "s3cret");
  assert.match(calls.panel[0], /<iframe src="http:\/\/127\.0\.0\.1:9000\/\?token=s3cret"/);
});

test("a server that is not running gives a clear message and opens nothing", async () => {
  const { plugin, calls } = mock("down");
  await plugin.openDashboard();
  assert.equal(calls.shown, 0);
  assert.deepEqual(calls.msgs, [[NOT_RUNNING, "error"]]);
  assert.match(NOT_RUNNING, /xuncha-kb serve/);
});

test("a remote server address is refused before any request", async () => {
  assert.equal(isLoopback("http://127.0.0.1:8765"), true);
  assert.equal(isLoopback("http://localhost:8765"), true);
  assert.equal(isLoopback("https://example.org"), false);
  assert.equal(isLoopback("http://127.0.0.1.evil.example:80"), false);
  const { plugin, calls } = mock({ "/api/health": healthy() }, { serverUrl: "http://example.org:8765", token: "t" });
  await plugin.openDashboard();
  assert.equal(calls.requests.length, 0);
  assert.match(calls.msgs[0][0], /本机地址/);
});

test("the renderer draws the progress of the page's inspection", async () => {
  const { calls } = mock({ "/api/report": () => ({ today: "2026-05-20", inspections: [inspection(), inspection("巡察/2026年第一轮/另一公司")] }) });
  calls.page = NAME + "/巡察了解";
  await calls.slotted!({ slot: "slot-1", payload: { arguments: [RENDERER], uuid: "u" } });
  assert.equal(calls.ui.length, 1);
  const { slot, template } = calls.ui[0];
  assert.equal(slot, "slot-1");
  assert.match(template, new RegExp(`data-inspection="${NAME}"`));
  assert.match(template, /巡察准备：13\/13（已完成）/);
  assert.match(template, /16\/53（30%）/);
  assert.match(template, /逾期 59 天：know\.09/);
});

test("the renderer takes an inspection named in the macro, and ignores other renderers", async () => {
  const { calls } = mock({ "/api/report": () => ({ today: "2026-05-20", inspections: [inspection(), inspection("巡察/2026年第一轮/另一公司")] }) });
  await calls.slotted!({ slot: "s", payload: { arguments: [":other"], uuid: "u" } });
  assert.equal(calls.ui.length, 0);
  await calls.slotted!({ slot: "s", payload: { arguments: [RENDERER, "另一公司"], uuid: "u" } });
  assert.match(calls.ui[0].template, /另一公司/);
  assert.doesNotMatch(calls.ui[0].template, /某某集团/);
});

test("the renderer escapes names and says when the server is down", async () => {
  const evil = inspection("巡察/<img src=x onerror=alert(1)>");
  const { calls } = mock({ "/api/report": () => ({ today: "x", inspections: [evil] }) });
  await calls.slotted!({ slot: "s", payload: { arguments: [RENDERER, "<img"], uuid: "u" } });
  assert.doesNotMatch(calls.ui[0].template, /<img/);
  assert.match(calls.ui[0].template, /&lt;img src=x/);
  assert.equal(esc(`"'&`), "&quot;&#39;&amp;");
  const down = mock("down");
  await down.calls.slotted!({ slot: "s", payload: { arguments: [RENDERER], uuid: "u" } });
  assert.match(down.calls.ui[0].template, /xuncha-kb serve/);
});

test("/新建巡察: form → the server's plan → nothing applied until confirmed", async () => {
  const applied: string[] = [];
  const { calls } = mock({
    "/api/health": healthy(true),
    "/api/plan": (o) => ({ plan_id: "p1", text: `计划：巡察/2026年第二轮/${(o.data as { params: { unit: string } }).params.unit}\n  新建 …`, changes: true, conflicts: false }),
    "/api/apply": (o) => { applied.push((o.data as { plan_id: string }).plan_id); return { action: "scaffold", text: "已写入：新建 20 个文件。" }; },
  });
  await calls.slash.get("新建巡察")!();
  assert.match(calls.panel.at(-1)!, /<form data-form="scaffold">/);
  await calls.action!("plan", { unit: "某区局", round: "2026年第二轮" });
  await new Promise((r) => setImmediate(r));
  const plan = calls.requests.find((r) => r.url.endsWith("/api/plan"))!;
  assert.deepEqual(plan.data, { action: "scaffold", params: { unit: "某区局", round: "2026年第二轮" } });
  assert.match(calls.panel.at(-1)!, /计划：巡察\/2026年第二轮\/某区局/);
  assert.match(calls.panel.at(-1)!, /data-action="confirm"/);
  assert.deepEqual(applied, []);
  await calls.action!("confirm", {});
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(applied, ["p1"]);
  assert.match(calls.panel.at(-1)!, /已写入：新建 20 个文件/);
  await calls.action!("confirm", {}); // a second confirm applies nothing
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(applied, ["p1"]);
});

test("/新建巡察 on a read-only server says how to allow writes", async () => {
  const { calls } = mock({ "/api/health": healthy(false) });
  await calls.slash.get("新建巡察")!();
  assert.equal(calls.shown, 0);
  assert.match(calls.msgs[0][0], /--allow-write/);
});

test("a plan the server refuses shows its message in the form", async () => {
  const { calls } = mock({ "/api/health": healthy(true), "/api/plan": () => ({ error: "错误：撤离日 2026-05-01 早于进驻日 2026-06-01" }) });
  await calls.action!("plan", { unit: "某区局", round: "2026年第二轮", entry: "2026-06-01", exit: "2026-05-01" });
  await new Promise((r) => setImmediate(r));
  assert.match(calls.panel.at(-1)!, /class="error">错误：撤离日/);
  assert.match(calls.panel.at(-1)!, /value="2026-05-01"/);
});
