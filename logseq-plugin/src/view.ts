// HTML for the inline progress block and the plugin panel.  Every value from the server is
// escaped: page names are user text.
import type { Inspection, PlanReply } from "./client";

export function esc(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

function bar(percent: number): string {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  return `<span style="display:inline-block;width:8em;height:.6em;background:#d8dee4;border-radius:3px;` +
    `vertical-align:middle;overflow:hidden"><span style="display:block;height:100%;width:${p}%;` +
    `background:#1a7f37"></span></span>`;
}

/** The `{{renderer :xuncha-progress}}` block: overall progress, one line per stage, deadlines. */
export function progressHtml(i: Inspection): string {
  const stages = i.stages.map((s) =>
    `<div data-stage="${esc(s.id)}">${bar(s.percent)} ${esc(s.name)}：${s.done}/${s.total}（${esc(s.state)}）</div>`).join("");
  const late = i.overdue.map((d) =>
    `<div style="color:#cf222e">逾期 ${-d.days_left} 天：${esc(d.activity_id)} ${esc(d.activity_name)}（${esc(d.due)}）</div>`);
  const soon = i.due_soon.map((d) =>
    `<div style="color:#b08800">剩 ${d.days_left} 天：${esc(d.activity_id)} ${esc(d.activity_name)}（${esc(d.due)}）</div>`);
  return `<div class="xuncha-progress" data-inspection="${esc(i.name)}" style="padding:.4em;border:1px solid #d8dee4;border-radius:6px">` +
    `<div><b>${esc(i.name)}</b> · 当前阶段：${esc(i.current_stage_name)} · ${bar(i.percent)} ${i.done}/${i.total}（${i.percent}%）</div>` +
    stages + late.join("") + soon.join("") + `</div>`;
}

export function messageHtml(text: string): string {
  return `<div class="xuncha-progress xuncha-error" style="color:#cf222e">${esc(text)}</div>`;
}

function panelBar(title: string): string {
  return `<div class="bar"><b>${esc(title)}</b><button data-action="close">关闭</button></div>`;
}

export function dashboardHtml(url: string): string {
  return panelBar("巡察进度看板") + `<div class="body"><iframe src="${esc(url)}" title="巡察进度看板"></iframe></div>`;
}

export const FORM_FIELDS: Array<[string, string, string]> = [
  ["unit", "被巡察单位", "text"], ["round", "巡察轮次（如 2026年第一轮）", "text"], ["leader", "组长", "text"],
  ["members", "组员（逗号分隔）", "text"], ["entry", "进驻日", "date"], ["exit", "撤离日", "date"],
];

export function formHtml(values: Record<string, string> = {}, error = ""): string {
  const fields = FORM_FIELDS.map(([key, label, type]) =>
    `<label>${esc(label)} <input name="${key}" type="${type}" value="${esc(values[key] ?? "")}"></label>`).join("");
  return panelBar("新建巡察") + `<div class="body"><form data-form="scaffold">${fields}` +
    (error ? `<p class="error">${esc(error)}</p>` : "") +
    `<button data-action="plan">生成计划</button></form></div>`;
}

export function planHtml(plan: PlanReply): string {
  const confirm = plan.changes && !plan.conflicts ? `<button data-action="confirm">确认执行</button>` :
    `<p class="error">${plan.conflicts ? "计划中有冲突，不能执行。" : "无需写入任何文件。"}</p>`;
  return panelBar("新建巡察：确认计划") + `<div class="body"><pre>${esc(plan.text)}</pre>${confirm}` +
    `<button data-action="close">取消</button></div>`;
}

export function resultHtml(text: string): string {
  return panelBar("新建巡察：已完成") + `<div class="body"><pre>${esc(text)}</pre></div>`;
}
