// What the plugin registers: settings, the toolbar button (dashboard panel), the inline
// `{{renderer :xuncha-progress}}` block and the slash commands /巡察进度 and /新建巡察.
import { Client, ServerError, type PlanReply } from "./client";
import type { Host, Panel, SlotEvent } from "./host";
import { dashboardHtml, formHtml, messageHtml, planHtml, progressHtml, resultHtml } from "./view";

export const RENDERER = ":xuncha-progress";

function message(err: unknown): string {
  return err instanceof ServerError ? err.message : `出错了：${String(err)}`;
}

export class Plugin {
  readonly client: Client;
  private pending: PlanReply | null = null;

  constructor(private readonly host: Host, private readonly panel: Panel) {
    this.client = new Client(host);
  }

  setup(): void {
    const { host } = this;
    host.useSettingsSchema([
      { key: "serverUrl", type: "string", default: "http://127.0.0.1:8765", title: "看板地址",
        description: "xuncha-kb serve 显示的地址（只含 http://127.0.0.1:端口 部分）。" },
      { key: "token", type: "string", default: "", title: "访问令牌",
        description: "xuncha-kb serve 启动时地址中 token= 后面的部分；每次启动都会变化。" },
    ]);
    host.provideModel({ openDashboard: () => this.openDashboard() });
    host.App.registerUIItem("toolbar", {
      key: "xuncha-dashboard",
      template: `<a class="button" data-on-click="openDashboard" title="巡察进度看板">巡察</a>`,
    });
    host.App.onMacroRendererSlotted((event) => this.renderSlot(event));
    host.Editor.registerSlashCommand("巡察进度", () => host.Editor.insertAtEditingCursor(`{{renderer ${RENDERER}}}`));
    host.Editor.registerSlashCommand("新建巡察", () => this.openForm());
    this.panel.onAction((action, form) => void this.onAction(action, form));
  }

  async openDashboard(inspection?: string): Promise<void> {
    try {
      await this.client.health();
    } catch (err) {
      await this.host.UI.showMsg(message(err), "error");
      return;
    }
    this.panel.render(dashboardHtml(this.client.dashboardUrl(inspection)));
    this.host.showMainUI();
  }

  /** Draw the inspection's progress into a renderer slot: the one named in the macro, else the
   * one whose overview page (or one of its sub-pages) the block is on. */
  async renderSlot({ slot, payload }: SlotEvent): Promise<void> {
    const [type, ...rest] = payload.arguments.map((a) => a.trim());
    if (type !== RENDERER) return;
    let template: string;
    try {
      const report = await this.client.report();
      const wanted = (rest.join(",") || (await this.currentPageName())).toLowerCase();
      const found = report.inspections.find((i) => i.name.toLowerCase() === wanted) ??
        report.inspections.find((i) => wanted.startsWith(i.name.toLowerCase() + "/")) ??
        report.inspections.find((i) => wanted !== "" && i.name.toLowerCase().includes(wanted));
      template = found ? progressHtml(found) :
        messageHtml(`没有找到巡察“${wanted}”。请把本块放在巡察概览页上，或写成 {{renderer ${RENDERER}, 巡察名称}}。`);
    } catch (err) {
      template = messageHtml(message(err));
    }
    this.host.provideUI({ key: `xuncha-progress-${slot}`, slot, reset: true, template });
  }

  private async currentPageName(): Promise<string> {
    const page = await this.host.Editor.getCurrentPage();
    return page?.originalName ?? page?.name ?? "";
  }

  async openForm(values: Record<string, string> = {}, error = ""): Promise<void> {
    try {
      const health = await this.client.health();
      if (!health.allow_write) {
        await this.host.UI.showMsg("看板以只读方式运行：新建巡察需要用 xuncha-kb serve --allow-write 启动。", "warning");
        return;
      }
    } catch (err) {
      await this.host.UI.showMsg(message(err), "error");
      return;
    }
    this.panel.render(formHtml(values, error));
    this.host.showMainUI();
  }

  async onAction(action: string, form: Record<string, string>): Promise<void> {
    if (action === "close") {
      this.pending = null;
      this.host.hideMainUI();
    } else if (action === "plan") {
      try {
        this.pending = await this.client.plan("scaffold", form);
        this.panel.render(planHtml(this.pending));
      } catch (err) {
        this.panel.render(formHtml(form, message(err)));
      }
    } else if (action === "confirm" && this.pending) {
      const planId = this.pending.plan_id;
      this.pending = null;
      try {
        const result = await this.client.apply(planId);
        this.panel.render(resultHtml(result.text));
        await this.host.UI.showMsg("已新建巡察。", "success");
      } catch (err) {
        await this.host.UI.showMsg(message(err), "error");
      }
    }
  }
}
