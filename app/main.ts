// First: @peculiar/x509 (the backup host's certificate, loaded on first use) resolves through tsyringe, which needs the
// Reflect metadata polyfill before any of its code runs; the bundle's shared chunks may run that code from another
// lazy import (the passkey routes'), so the entry point loads it (provision/x509.ts says the same for its own users).
import "reflect-metadata";
import { loadConfig, makeDataDirPrivate, recordServedOrigins } from "./platform/config";
import { openDb } from "./platform/db/client";
import { serveOptions } from "./platform/http/errors";
import { loadOrCreateSecret } from "./platform/secret";
import { webHandlers } from "./jobs";
import { createJobRunner } from "./platform/queue/runner";
import { createApp } from "./server";
import { applyPendingRestore } from "./setup/restore";
import { dataPaths } from "./platform/paths";
import { log, setLogLevel } from "./platform/log";

const config = loadConfig(process.argv.slice(2));
setLogLevel(config.logLevel);
makeDataDirPrivate(config.dataDir);
// A backup the setup wizard staged goes in before anything opens the database.
applyPendingRestore(config.dataDir);
const db = openDb(dataPaths(config.dataDir).db);
const app = createApp({ config, db, secret: loadOrCreateSecret(config.dataDir) });

const tls = config.tls ? { cert: Bun.file(config.tls.cert), key: Bun.file(config.tls.key) } : undefined;
app.listen({ ...serveOptions, port: config.port, hostname: config.hostname, tls, maxRequestBodySize: 64 * 1024 ** 3 });
recordServedOrigins(config.dataDir, config.origins);
log.info(`nasd listening on ${tls ? "https" : "http"}://${config.hostname}:${app.server?.port} (data: ${config.dataDir}; passkeys for ${config.rpID})`);

let redirector: ReturnType<typeof Bun.serve> | null = null;
if (tls && config.httpRedirectPort > 0) {
  // Plain http only redirects to https; the CA download and its instructions stay reachable so a new device can trust the box first.
  redirector = Bun.serve({
    port: config.httpRedirectPort,
    hostname: config.hostname,
    fetch(req) {
      const url = new URL(req.url);
      if (url.pathname.startsWith("/ca") || url.pathname === "/setup/trust" || url.pathname === "/healthz" || url.pathname.startsWith("/static/"))
        return app.handle(req);
      url.protocol = "https:";
      url.port = config.port === 443 ? "" : String(config.port);
      return Response.redirect(url.toString(), 308);
    },
  });
}

// Other boxes' backups (app/backup/host.ts), on their own port when BACKUP_HOST_PORT is set: after the box's own
// listeners, so making its certificate never delays the http port a new device fetches the CA from.
// A failure here (its port taken, its certificate) stops the hosting only, never the box's own pages.
const backupHost = await app.services.backupListener?.start().catch((e) => {
  log.error("backup host: not hosting other boxes' backups", e);
  return null;
});
if (backupHost) log.info(`hosting other boxes' backups on port ${backupHost.port}`);

// The web lane (app/platform/queue/README.md): the periodic kinds that need what only this process has (the network,
// its own CPU time). The worker decides when they run; this process schedules nothing.
// A look every 5 s is plenty for them (a minute sample is stamped with the minute it was due) and costs the idle web
// process a fifth of what the workers' 1 s costs.
const webLane = createJobRunner({ queue: app.services.jobs, handlers: webHandlers(app.services), pollMs: 5_000 });
app.services.jobs.reclaimLeftRunning(webLane.kinds);
void webLane.run();

async function shutdown(signal: string) {
  log.info(`${signal}: finishing open requests`);
  redirector?.stop();
  app.services.backupListener?.stop();
  await webLane.stop();
  await app.stop();
  db.$client.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
