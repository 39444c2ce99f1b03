// Talking to the local `xuncha-kb serve` — only to it, through Logseq's request bridge (which
// sends no Origin, so no CORS is needed), with the token in a header.
import type { Host } from "./host";

export const DEFAULT_URL = "http://127.0.0.1:8765";
export const NOT_RUNNING =
  "无法连接 xuncha-kb 看板服务。请先在终端运行 xuncha-kb serve（写入操作需加 --allow-write），" +
  "并在插件设置中填写启动时显示的地址和令牌。";

export interface Settings {
  url: string;
  token: string;
}

export interface Deadline { activity_id: string; activity_name: string; due: string; days_left: number; colour: string; status: string }
export interface Stage { id: string; name: string; done: number; total: number; percent: number; state: string }
export interface Inspection {
  name: string; unit: string; current_stage_name: string; done: number; total: number; percent: number;
  stages: Stage[]; overdue: Deadline[]; due_soon: Deadline[];
}
export interface Report { today: string; inspections: Inspection[] }
export interface PlanReply { plan_id: string; text: string; changes: boolean; conflicts: boolean }

/** Where the server is and its token, from the plugin settings; the URL is kept to loopback. */
export function settingsOf(host: Host): Settings {
  const raw = host.settings ?? {};
  const url = typeof raw.serverUrl === "string" && raw.serverUrl.trim() ? raw.serverUrl.trim() : DEFAULT_URL;
  const token = typeof raw.token === "string" ? raw.token.trim() : "";
  return { url: url.replace(/\/+$/, ""), token };
}

export function isLoopback(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "http:" && (u.hostname === "127.0.0.1" || u.hostname === "localhost");
  } catch {
    return false;
  }
}

export class ServerError extends Error {}

export class Client {
  constructor(private readonly host: Host) {}

  get settings(): Settings {
    return settingsOf(this.host);
  }

  /** The dashboard's address with the token (for the panel's frame). */
  dashboardUrl(inspection?: string): string {
    const { url, token } = this.settings;
    const q = new URLSearchParams({ token });
    if (inspection) q.set("inspection", inspection);
    return `${url}/?${q.toString()}`;
  }

  async call<T>(path: string, body?: object): Promise<T> {
    const { url, token } = this.settings;
    if (!isLoopback(url)) throw new ServerError("看板地址只能是本机地址（http://127.0.0.1:端口）。");
    if (!token) throw new ServerError("请先在插件设置中填写 xuncha-kb serve 启动时显示的令牌。");
    let reply: unknown;
    try {
      reply = await this.host.Request._request({
        url: url + path, method: body ? "POST" : "GET", returnType: "json", timeout: 10000,
        headers: { "X-Xuncha-Token": token, "Content-Type": "application/json" },
        ...(body ? { data: body } : {}),
      });
    } catch {
      throw new ServerError(NOT_RUNNING);
    }
    if (reply && typeof reply === "object" && "error" in reply) {
      throw new ServerError(String((reply as { error: unknown }).error));
    }
    return reply as T;
  }

  health(): Promise<{ ok: boolean; allow_write: boolean }> {
    return this.call("/api/health");
  }

  report(): Promise<Report> {
    return this.call("/api/report");
  }

  plan(action: string, params: Record<string, string>): Promise<PlanReply> {
    return this.call("/api/plan", { action, params });
  }

  apply(planId: string): Promise<{ text: string }> {
    return this.call("/api/apply", { plan_id: planId });
  }
}
