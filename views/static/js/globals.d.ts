// Types for the browser scripts (checked with `tsc -p tsconfig.browser.json`): the vendored globals they use.
type AlpineMagics = {
  $root: HTMLElement;
  $el: HTMLElement;
  $refs: Record<string, HTMLElement>;
  $nextTick(fn?: () => void): Promise<void>;
  $dispatch(name: string, detail?: unknown): void;
};

interface Window {
  /** Shared helpers from app.js, loaded before every page script. */
  nas: { csrf(): string; postJSON(url: string, body?: unknown): Promise<any>; toast(message: string, action?: { label: string; run: () => void }): void };
  Alpine: { data<T>(name: string, factory: () => T & ThisType<T & AlpineMagics>): void };
  htmx: {
    ajax(method: string, url: string, opts: { target?: string; swap?: string; values?: Record<string, string> }): Promise<void>;
    process(el: Element): void;
  };
  tus: { Upload: new (file: Blob, options: Record<string, unknown>) => any };
  /** Leaflet, on the map page only. */
  L: any;
}

declare const SimpleWebAuthnBrowser: {
  startRegistration(options: { optionsJSON: unknown }): Promise<unknown>;
  startAuthentication(options: { optionsJSON: unknown }): Promise<unknown>;
};
