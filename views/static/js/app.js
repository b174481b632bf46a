// Alpine components for the whole app (sign-in, registration, the wizard, recovery codes, copy buttons). The CSP
// forbids inline script, so every component lives here and pages refer to them by name (x-data="setupWizard").
import { postJSON } from "./lib/http.js";
// The service worker and forgetting what it kept at sign-out (app/offline/README.md).
import "./lib/offline.js";
// The current tab of a tab bar scrolled into view on a phone.
import "./lib/tabbar.js";

const secureContext = () => window.isSecureContext && typeof window.PublicKeyCredential === "function";

/** What went wrong with a passkey, in a sentence. @param {unknown} err */
function explain(err) {
  const name = err instanceof Error ? err.name : "";
  if (name === "NotAllowedError") return "The passkey prompt was cancelled or timed out. Try again.";
  if (name === "InvalidStateError") return "This device already has a passkey for this account.";
  return err instanceof Error ? err.message : String(err);
}

/**
 * Options from the server → the browser's passkey prompt → verification on the server.
 * @param {Record<string, unknown>} start What is registering (app/auth/routes.tsx RegisterStart).
 * @returns {Promise<{ redirect?: string; recoveryCodes?: string[] }>}
 */
async function createPasskey(start) {
  const { challengeId, options } = await postJSON("/auth/register/options", start);
  const response = await SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options });
  return postJSON("/auth/register/verify", { challengeId, response });
}

/**
 * Copy, download (.txt) and print for recovery codes shown in a `[data-codes]` block; mixed into the components
 * that show codes (the wizard gives its `deviceName`).
 * @type {{ copiedCodes: boolean; codesText(): string; boxName(): string; copyCodes(): Promise<void>; downloadCodes(): void; printCodes(): void }
 *   & ThisType<AlpineMagics & { copiedCodes: boolean; deviceName?: string; codesText(): string; boxName(): string }>}
 */
const codeActions = {
  copiedCodes: false,
  codesText() {
    const box = this.$el.closest("[data-codes]");
    const codes = [...(box?.querySelectorAll(".codes span") ?? [])].map((s) => (s.textContent ?? "").trim());
    const title = this.boxName();
    return `Recovery codes for ${title} (each works once)\n\n${codes.join("\n")}\n`;
  },
  // The wizard names the box before the page knows it; elsewhere the page title ends with it.
  boxName() {
    return (this.deviceName || document.title.split(" · ").pop() || "").trim();
  },
  async copyCodes() {
    await navigator.clipboard?.writeText(this.codesText());
    this.copiedCodes = true;
  },
  downloadCodes() {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([this.codesText()], { type: "text/plain" }));
    a.download = `${this.boxName()}-recovery-codes.txt`.replace(/[^\w.-]+/g, "-");
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  },
  printCodes() {
    document.body.classList.add("printing-codes");
    window.addEventListener("afterprint", () => document.body.classList.remove("printing-codes"), { once: true });
    window.print();
  },
};

const registrationFlow = {
  ...codeActions,
  busy: false,
  error: "",
  /** @type {string[] | null} */
  codes: null,
  nextUrl: "/",
  secure: secureContext(),
  /** @param {Record<string, unknown>} start */
  async runRegistration(start) {
    this.error = "";
    this.busy = true;
    try {
      const result = await createPasskey(start);
      this.nextUrl = result.redirect ?? "/";
      if (result.recoveryCodes?.length) this.codes = result.recoveryCodes;
      else window.location.assign(this.nextUrl);
    } catch (err) {
      this.error = explain(err);
    } finally {
      this.busy = false;
    }
  },
  done() {
    window.location.assign(this.nextUrl);
  },
};

document.addEventListener("alpine:init", () => {
  const Alpine = window.Alpine;

  Alpine.data("setupWizard", () => ({
    ...registrationFlow,
    step: 1,
    deviceName: "nas",
    username: "admin",
    displayName: "",
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    /** @type {"invite" | "closed" | "open"} */
    policy: "invite",
    start: "new",
    usernameError: false,
    displayNameError: false,
    /** @returns {string} */
    get policyLabel() {
      return { invite: "Invite only", closed: "Closed", open: "Open" }[this.policy];
    },
    init() {
      this.deviceName = document.getElementById("device-name")?.getAttribute("value") || this.deviceName;
      this.start = this.$root.dataset.start || "new";
    },
    // The server's rules (app/auth/service.ts validateUsername/validateDisplayName), checked when a field is left.
    checkUsername() {
      this.usernameError = !/^[a-z0-9][a-z0-9._-]{0,31}$/.test(this.username.trim().toLowerCase());
      return !this.usernameError;
    },
    checkDisplayName() {
      const n = this.displayName.trim();
      this.displayNameError = !n || n.length > 64 || /[\u0000-\u001f\u007f]/.test(n);
      return !this.displayNameError;
    },
    back() {
      this.error = "";
      if (this.step > 1) this.step--;
    },
    // After the recovery codes the wizard goes on to its storage step (data-next), a page of its own: the admin is signed in now.
    done() {
      window.location.assign(this.$root.dataset.next || this.nextUrl);
    },
    /** @param {Event} event */
    submitStep(event) {
      event.preventDefault();
      return this.next();
    },
    next() {
      this.error = "";
      if (this.step === 1 && !this.deviceName.trim()) return (this.error = "Give the device a name.");
      if (this.step === 2) {
        const userOk = this.checkUsername();
        const nameOk = this.checkDisplayName();
        if (!userOk) return (this.error = "The username can hold only lower-case letters, digits, dot, dash or underscore (no spaces).");
        if (!nameOk) return (this.error = "Enter your name.");
      }
      if (this.step < 5) return this.step++;
      if (!this.secure) return (this.error = "This page is not a secure context, so the browser will not create a passkey. See the note above.");
      return this.runRegistration({
        kind: "setup",
        username: this.username,
        displayName: this.displayName,
        settings: { deviceName: this.deviceName, timeZone: this.timeZone, registrationPolicy: this.policy },
      });
    },
  }));

  Alpine.data("passkeyRegister", () => ({
    ...registrationFlow,
    username: "",
    displayName: "",
    register() {
      const kind = /** @type {HTMLElement | null} */ (this.$el.closest("[data-kind]"))?.dataset.kind ?? this.$root.dataset.kind;
      const invite = this.$root.dataset.invite || null;
      const start =
        kind === "enroll"
          ? { kind, inviteToken: invite }
          : kind === "add"
            ? { kind }
            : { kind, username: this.username, displayName: this.displayName, inviteToken: invite };
      return this.runRegistration(start);
    },
  }));

  Alpine.data("passkeyLogin", () => ({
    busy: false,
    error: "",
    secure: secureContext(),
    async signIn() {
      this.error = "";
      this.busy = true;
      try {
        const { challengeId, options } = await postJSON("/auth/login/options");
        const response = await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options });
        await postJSON("/auth/login/verify", { challengeId, response });
        window.location.assign(this.$root.dataset.next || "/");
      } catch (err) {
        this.error = explain(err);
      } finally {
        this.busy = false;
      }
    },
  }));

  // The wizard's storage step: which disk's typed confirmation is open.
  Alpine.data("diskChoice", () => ({
    chosen: "",
    init() {
      // After a refusal the server names the disk that was posted: its confirmation stays open.
      this.chosen = this.$root.dataset.chosen ?? "";
    },
  }));

  Alpine.data("codeActions", () => ({ ...codeActions }));

  // Copy-to-clipboard buttons (tokens, invite links): data-copy="#element-id".
  Alpine.data("copyButton", () => ({
    copied: false,
    async copy() {
      const target = /** @type {HTMLInputElement | null} */ (document.querySelector(this.$el.dataset.copy ?? ""));
      await navigator.clipboard?.writeText(target?.value ?? target?.textContent ?? "");
      this.copied = true;
    },
  }));
});

// On a phone, tables become stacked rows (app.css); each cell is labelled with its column's heading.
/** @param {EventTarget | null} root */
function labelTableCells(root) {
  if (!(root instanceof Document || root instanceof Element)) return;
  for (const table of root.querySelectorAll("table")) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => (th.textContent ?? "").trim());
    if (!heads.length) continue;
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        if (heads[i]) cell.setAttribute("data-label", heads[i]);
      });
    }
  }
}
document.addEventListener("DOMContentLoaded", () => labelTableCells(document));
document.addEventListener("htmx:afterSwap", (e) => labelTableCells(e.target));

// htmx: errors come back as toasts (HX-Retarget #toasts); they fade after a while.
document.addEventListener("htmx:afterSwap", (e) => {
  if (/** @type {CustomEvent<{ target?: Element }>} */ (e).detail.target?.id !== "toasts") return;
  for (const t of document.querySelectorAll("#toasts .toast")) setTimeout(() => t.remove(), 6000);
});
