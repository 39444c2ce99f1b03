// The part of the Logseq plugin API (@logseq/libs) this plugin uses, so the logic can be tested
// against a mock; index.ts hands the real `logseq` object in.

export interface SettingSchema {
  key: string;
  type: "string";
  default: string;
  title: string;
  description: string;
}

export interface RequestOptions {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  data?: object;
  returnType: "json";
  timeout?: number;
}

export interface SlotEvent {
  slot: string;
  payload: { arguments: string[]; uuid: string };
}

export interface Host {
  settings?: Record<string, unknown>;
  useSettingsSchema(schemas: SettingSchema[]): unknown;
  provideModel(model: Record<string, (...args: never[]) => unknown>): unknown;
  provideUI(ui: { key: string; slot?: string; reset?: boolean; template: string }): unknown;
  showMainUI(): void;
  hideMainUI(): void;
  App: {
    registerUIItem(type: "toolbar", opts: { key: string; template: string }): unknown;
    onMacroRendererSlotted(callback: (event: SlotEvent) => unknown): unknown;
  };
  Editor: {
    registerSlashCommand(tag: string, action: () => unknown): unknown;
    insertAtEditingCursor(content: string): Promise<unknown>;
    getCurrentPage(): Promise<{ originalName?: string; name?: string } | null>;
  };
  UI: { showMsg(content: string, status?: string): unknown };
  Request: { _request(options: RequestOptions): Promise<unknown> };
}

/** The plugin's own panel (the main UI): what to show in it, and its buttons and form. */
export interface Panel {
  render(html: string): void;
  onAction(handler: (action: string, form: Record<string, string>) => void): void;
}
