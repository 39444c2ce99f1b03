// Entry point inside Logseq: the real API object and the panel in the plugin's own document.
import "@logseq/libs";
import type { Host, Panel } from "./host";
import { Plugin } from "./plugin";

function domPanel(root: HTMLElement): Panel {
  return {
    render(html: string) {
      root.innerHTML = html; // built by view.ts, every server value escaped
      root.hidden = false;
    },
    onAction(handler) {
      root.addEventListener("click", (ev) => {
        const target = (ev.target as HTMLElement).closest("[data-action]");
        if (!target) return;
        ev.preventDefault();
        const form = root.querySelector("form");
        const values: Record<string, string> = {};
        if (form) new FormData(form).forEach((v, k) => { values[k] = String(v); });
        handler(target.getAttribute("data-action") ?? "", values);
      });
    },
  };
}

function main(): void {
  const root = document.getElementById("app") as HTMLElement;
  // The typed @logseq/libs API is wider than the part the plugin uses (host.ts).
  new Plugin(logseq as unknown as Host, domPanel(root)).setup();
}

logseq.ready(main).catch(console.error);
