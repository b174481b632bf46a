// Types for the browser scripts (checked with `tsc -p tsconfig.browser.json`, strict): the vendored globals they use.
type AlpineMagics = {
  $root: HTMLElement;
  $el: HTMLElement;
  $refs: Record<string, HTMLElement>;
  $nextTick(fn?: () => void): Promise<void>;
  $dispatch(name: string, detail?: unknown): void;
};

/** What the pages use of tus-js-client (views/static/vendor/tus.min.js). */
type TusError = Error & { originalResponse?: { getStatus?(): number; getBody?(): string } | null };
type TusUpload = {
  start(): void;
  abort(terminate?: boolean): Promise<void>;
  findPreviousUploads(): Promise<unknown[]>;
  resumeFromPreviousUpload(previous: unknown): void;
};
type TusOptions = {
  endpoint: string;
  chunkSize: number;
  retryDelays: number[];
  removeFingerprintOnSuccess: boolean;
  headers: Record<string, string>;
  metadata: Record<string, string>;
  onProgress?: (sent: number, total: number) => void;
  onShouldRetry?: (err: TusError | null) => boolean;
  onSuccess?: () => void;
  onError?: (err: TusError) => void;
};

interface Window {
  Alpine: { data<T>(name: string, factory: () => T & ThisType<T & AlpineMagics>): void };
  htmx: {
    ajax(method: string, url: string, opts: { target?: string; swap?: string; values?: Record<string, string> }): Promise<void>;
    process(el: Element): void;
  };
  tus: { Upload: new (file: Blob, options: TusOptions) => TusUpload };
  /** Leaflet: on the map page, and loaded by lib/basemap.js for the info panel's small map. */
  L?: any;
  /** pmtiles and protomaps-leaflet (views/static/vendor/basemap/), loaded by lib/basemap.js for an owner's detailed map. */
  pmtiles?: any;
  protomapsL?: any;
}

declare const SimpleWebAuthnBrowser: {
  startRegistration(options: { optionsJSON: unknown }): Promise<unknown>;
  startAuthentication(options: { optionsJSON: unknown }): Promise<unknown>;
};
