"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const token = params.get("token") || "";
  let selected = params.get("inspection") || decodeURIComponent(location.hash.replace(/^#/, ""));
  let model = null;
  let planId = null;
  if (params.get("embed") === "1") document.body.classList.add("embed");

  function el(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v; else node.setAttribute(k, String(v));
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      node.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return node;
  }
  const $ = (id) => document.getElementById(id);
  function bar(pct) {
    const fill = el("span", {});
    fill.style.width = pct + "%"; // CSSOM, not a style attribute: allowed by the page's CSP
    return el("span", { class: "bar", title: pct + "%" }, fill);
  }
  function daysText(d) {
    if (d.days_left === null || d.days_left === undefined) return "";
    if (d.days_left < 0) return "已逾期 " + (-d.days_left) + " 天";
    if (d.days_left === 0) return "今天到期";
    return "剩 " + d.days_left + " 天";
  }

  function renderPortfolio(doc) {
    const body = $("portfolio").tBodies[0];
    body.replaceChildren();
    for (const i of doc.inspections) {
      const row = el("tr", { "data-inspection": i.name, class: i.name === selected ? "selected" : null },
        el("td", {}, i.unit || i.name), el("td", {}, i.round || ""), el("td", {}, i.current_stage_name || ""),
        el("td", { class: "percent" }, bar(i.percent), i.done + "/" + i.total + "（" + i.percent + "%）"),
        el("td", { class: i.overdue.length ? "colour-red" : null }, i.overdue.length),
        el("td", { class: i.due_soon.length ? "colour-yellow" : null }, i.due_soon.length));
      row.addEventListener("click", () => { selected = i.name; location.hash = encodeURIComponent(i.name); render(); });
      body.append(row);
    }
    if (!doc.inspections.length) body.append(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "图谱中还没有巡察。")));
  }

  function stageView(s) {
    const acts = el("ul", {}, s.activities.map((a) => el("li", { "data-activity": a.id, "data-status": a.status },
      el("span", { class: "status-" + a.status }, "［" + a.status_label + "］"), " ", a.id + " " + a.name,
      a.deadline ? el("span", { class: "colour-" + (a.deadline.colour || "") }, " · 截止 " + a.deadline.due) : null)));
    return el("details", { class: "stage", "data-stage": s.id, open: s.state !== "已完成" && s.state !== "未开始" ? "" : null },
      el("summary", {}, bar(s.percent), s.name + "：" + s.done + "/" + s.total + "（" + s.state + "）",
        s.completed_on ? "，完成于 " + s.completed_on : ""), acts);
  }

  function timeline(i) {
    const items = i.deadlines.slice().sort((a, b) => a.due.localeCompare(b.due));
    if (!items.length) return el("p", { class: "muted" }, "没有可计算的截止日期。");
    return el("ul", { class: "timeline" }, items.map((d) => el("li", { "data-deadline": d.activity_id },
      el("span", { class: "dot colour-" + (d.status === "done" ? "green" : d.colour) }), d.due + " ",
      d.activity_id + " " + d.activity_name, el("span", { class: "muted" }, "（" + d.rule + "）"), " ",
      d.status === "done" ? el("span", { class: "colour-green" }, "已完成") :
        el("span", { class: "colour-" + d.colour }, daysText(d)))),
      i.pending_deadlines.map((p) => el("li", { class: "muted" }, "？ " + p.activity_id + " " + p.activity_name + "：" + p.missing)));
  }

  function ledger(title, lg, columns) {
    const head = el("p", { class: "counts" }, el("span", {}, "共 " + lg.count + " 项"),
      lg.sensitive_count ? el("span", {}, "涉密 " + lg.sensitive_count + " 项（不显示内容）") : null,
      Object.entries(lg.by_status || {}).map(([k, v]) => el("span", {}, k + " " + v)));
    const rows = (lg.items || []).map((x) => el("tr", {}, columns.map(([key]) => el("td", {}, fmt(x[key])))));
    return el("div", { class: "ledger" }, el("h3", {}, title), head, rows.length ?
      el("table", {}, el("thead", {}, el("tr", {}, columns.map(([, label]) => el("th", {}, label)))), el("tbody", {}, rows)) : null);
  }
  function fmt(v) { return Array.isArray(v) ? v.join("、") : v === null || v === undefined ? "" : String(v); }

  const KNOWN = new Set(["name", "unit", "round", "year", "file", "leader", "members", "current_stage",
    "current_stage_name", "done", "total", "percent", "milestones", "stages", "deadlines", "overdue", "due_soon",
    "hard_deadlines",
    "pending_deadlines", "order_problems", "missing_artifacts", "ledgers", "sensitive", "issues"]);
  function extras(i) {
    // Fields the report model gains later (statistics …) are shown as they come.
    const keys = Object.keys(i).filter((k) => !KNOWN.has(k));
    if (!keys.length) return null;
    return el("div", { class: "extras" }, el("h3", {}, "统计"), keys.map((k) => el("details", { open: "" },
      el("summary", {}, k), el("pre", {}, JSON.stringify(i[k], null, 2)))));
  }

  function renderDetail(doc) {
    const box = $("detail");
    const i = doc.inspections.find((x) => x.name === selected) || doc.inspections[0];
    if (!i) { box.replaceChildren(el("p", { class: "muted" }, "没有可显示的巡察。")); return; }
    selected = i.name;
    const lg = i.ledgers;
    box.replaceChildren(el("div", {},
      el("h2", { id: "detail-title" }, i.name),
      el("p", { class: "counts" }, el("span", {}, "当前阶段：" + i.current_stage_name),
        el("span", { id: "detail-progress" }, "进度 " + i.done + "/" + i.total + "（" + i.percent + "%）"),
        i.leader.length ? el("span", {}, "组长：" + i.leader.join("、")) : null,
        i.members.length ? el("span", {}, "组员：" + i.members.join("、")) : null),
      el("p", { class: "counts" }, i.milestones.map((m) => el("span", {}, m.name + "：" + (m.date || "未填写")))),
      el("div", { class: "grid2" },
        el("div", {}, el("h3", {}, "阶段"), el("div", { class: "stages" }, i.stages.map(stageView))),
        el("div", {}, el("h3", {}, "期限时间线"), timeline(i),
          (i.hard_deadlines || []).length ? el("div", {}, el("h3", {}, "硬性期限"), el("ul", {}, i.hard_deadlines.map((h) =>
            el("li", {}, h.activity_id + " " + h.activity_name + "（" + h.basis + "）：" +
              (h.due ? "截止 " + h.due : (h.missing || "待定")))))) : null,
          i.order_problems.length ? el("div", {}, el("h3", {}, "顺序问题"), el("ul", {}, i.order_problems.map((o) =>
            el("li", { class: "colour-red" }, o.activity_id + " " + o.activity_name + " 已完成，前置未完成：" +
              o.blocking.map((b) => b.id + " " + b.name).join("、"))))) : null,
          i.missing_artifacts.length ? el("div", {}, el("h3", {}, "缺少的产出"), el("ul", {}, i.missing_artifacts.map((m) =>
            el("li", {}, m.activity_id + " " + m.activity_name + "：" + m.artifact)))) : null)),
      el("h3", {}, "台账"),
      el("div", { class: "grid2" },
        ledger("问题底稿", lg.drafts, [["number", "编号"], ["name", "问题"], ["status", "状态"], ["date", "日期"]]),
        ledger("移交台账", lg.transfers, [["title", "事项"], ["recipient", "移交对象"], ["status", "状态"], ["date", "日期"]]),
        ledger("整改台账", lg.rectifications, [["title", "问题"], ["owner", "责任单位"], ["status", "状态"], ["due", "期限"]])),
      el("p", { class: "muted" }, "涉密页面 " + i.sensitive.pages + " 个、涉密块 " + i.sensitive.blocks + " 个只计数，不显示内容" +
        (i.sensitive.by_kind ? "（" + Object.entries(i.sensitive.by_kind).filter(([, n]) => n).map(([k, n]) =>
          k + " " + n).join("、") + "）" : "") + "。"),
      i.issues.length ? el("div", {}, el("h3", {}, "页面问题"), el("ul", {}, i.issues.map((x) =>
        el("li", {}, (x.file ? x.file + (x.line ? ":" + x.line : "") + " " : "") + x.message)))) : null,
      extras(i)));
  }

  function render() {
    if (!model) return;
    $("graph").textContent = model.dashboard.graph + " · " + model.workflow.name + " · 按 " + model.today + " 计算";
    $("updated").textContent = "更新于 " + model.dashboard.updated.replace("T", " ").slice(0, 19);
    renderPortfolio(model);
    renderDetail(model);
    const recent = model.dashboard.recent;
    if (recent.length) $("recent").replaceChildren(...recent.map((t) => el("li", {}, t)));
  }

  function notice(text) { const n = $("notice"); n.textContent = text; n.hidden = !text; }

  async function call(path, body) {
    const res = await fetch(path, { method: body ? "POST" : "GET", headers: { "X-Xuncha-Token": token,
      "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
    const doc = await res.json();
    if (!res.ok) throw new Error(doc.error || ("HTTP " + res.status));
    return doc;
  }

  async function plan(action, params) {
    try {
      const doc = await call("/api/plan", { action, params });
      planId = doc.plan_id;
      $("plan-text").textContent = doc.text;
      $("confirm").hidden = !doc.changes || doc.conflicts;
      $("plan").hidden = false;
    } catch (e) { notice(e.message); }
  }

  function setupActions(health) {
    if (!health.allow_write) return;
    $("actions").hidden = false;
    for (const b of document.querySelectorAll("button[data-action]")) b.addEventListener("click", () => plan(b.dataset.action, {}));
    $("scaffold-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      plan("scaffold", Object.fromEntries(new FormData(ev.target).entries()));
    });
    $("cancel").addEventListener("click", () => { planId = null; $("plan").hidden = true; });
    $("confirm").addEventListener("click", async () => {
      try { const doc = await call("/api/apply", { plan_id: planId }); $("plan-text").textContent = doc.text; }
      catch (e) { notice(e.message); }
      $("confirm").hidden = true; planId = null;
    });
  }

  function connect() {
    const src = new EventSource("/api/events?token=" + encodeURIComponent(token));
    src.addEventListener("report", (ev) => {
      model = JSON.parse(ev.data);
      document.body.dataset.version = model.dashboard.version;
      render();
    });
    src.onopen = () => { $("live").textContent = "实时"; $("live").className = "live on"; notice(""); };
    src.onerror = () => { $("live").textContent = "已断开，正在重连…"; $("live").className = "live off"; };
  }

  call("/api/health").then((h) => { setupActions(h); connect(); })
    .catch(() => notice("无法连接看板服务：请确认 xuncha-kb serve 正在运行，并使用启动时显示的完整地址（含令牌）。"));
})();
