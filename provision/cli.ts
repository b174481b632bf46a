#!/usr/bin/env bun
/**
 * Root-side provisioning run by systemd units of the image (os/systemd/):
 *   tls --dir DIR [--owner USER] [--restart-on-change UNIT]   nas-tls.service (boot, then every minute)
 *   apply-settings --file FILE [--tls-dir DIR]               nas-settings.service (wizard changes)
 */
import { hostname as osHostname } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { lanAddresses, webOriginsEnv } from "./network";
import { readSystemSettings, renderSystemFiles, sshUnit, writeSystemFiles } from "./settings";
import { ensureCertificates } from "./tls";

function run(argv: string[]) {
  const proc = Bun.spawnSync(argv, { stdout: "inherit", stderr: "inherit" });
  if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")} exited with ${proc.exitCode}`);
}

function lookupUser(name: string): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no user ${name}`);
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

async function tls(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { dir: { type: "string" }, owner: { type: "string" }, "restart-on-change": { type: "string" } },
  });
  if (!values.dir) throw new Error("tls needs --dir");
  const hostname = osHostname().split(".")[0]!;
  const addresses = lanAddresses();
  const result = await ensureCertificates({
    dir: values.dir,
    hostname,
    addresses,
    keyOwner: values.owner ? lookupUser(values.owner) : undefined,
  });
  const envPath = join(values.dir, "web.env");
  const env = webOriginsEnv(hostname, addresses);
  let envChanged = true;
  try {
    envChanged = readFileSync(envPath, "utf8") !== env;
  } catch {}
  if (envChanged) writeFileSync(envPath, env, { mode: 0o644 });
  if (result.changed) console.log(`nas-tls: server certificate issued (${result.reason}) for ${[...result.names.dns, ...result.names.ips].join(" ")}`);
  // --no-block (here and below): these run from units inside the boot transaction; waiting could deadlock.
  if ((result.changed || envChanged) && values["restart-on-change"]) {
    run(["systemctl", "--no-block", "try-restart", values["restart-on-change"]]);
  }
}

async function applySettings(args: string[]) {
  const { values } = parseArgs({ args, options: { file: { type: "string" }, "tls-dir": { type: "string" }, root: { type: "string" } } });
  if (!values.file) throw new Error("apply-settings needs --file");
  const settings = readSystemSettings(values.file);
  const root = values.root ?? "/";
  writeSystemFiles(root, renderSystemFiles(settings));
  if (root !== "/") return;
  if (settings.hostname) {
    run(["hostname", settings.hostname]);
    run(["systemctl", "--no-block", "try-restart", "avahi-daemon.service"]);
    if (values["tls-dir"]) run(["systemctl", "--no-block", "start", "nas-tls.service"]);
  }
  if (settings.ntpServers) run(["systemctl", "--no-block", "try-restart", "chrony.service"]);
  const ssh = sshUnit(root);
  if (settings.ssh?.enabled) {
    run(["ssh-keygen", "-A"]);
    run(["systemctl", "unmask", ssh]);
    run(["systemctl", "enable", "--now", "--no-block", ssh]);
  } else if (settings.ssh) {
    run(["systemctl", "disable", "--now", "--no-block", ssh]);
    run(["systemctl", "mask", ssh]);
  }
}

const [command, ...rest] = process.argv.slice(2);
if (import.meta.main) {
  const commands: Record<string, (args: string[]) => Promise<void>> = { tls, "apply-settings": applySettings };
  const handler = command ? commands[command] : undefined;
  if (!handler) {
    console.error("usage: cli.ts tls --dir DIR [--owner USER] [--restart-on-change UNIT] | apply-settings --file FILE");
    process.exit(2);
  }
  await handler(rest);
}
