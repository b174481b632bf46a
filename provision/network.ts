import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";

/**
 * Addresses other devices on the LAN can reach the box at: no loopback, no link-local
 * (169.254/16, fe80::/10), no container bridges.
 */
export function lanAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const addresses: string[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    if (/^(lo|docker|veth|br-|virbr)/.test(name)) continue;
    for (const info of infos ?? []) {
      if (info.internal) continue;
      if (info.family === "IPv4" && info.address.startsWith("169.254.")) continue;
      if (info.family === "IPv6" && /^fe[89ab]/i.test(info.address)) continue;
      addresses.push(info.address);
    }
  }
  return [...new Set(addresses)].sort();
}

/** The web server's public origins: the mDNS name first (it becomes the WebAuthn rpID), then the IPs. */
export function webOriginsEnv(hostname: string, addresses: string[]): string {
  const hosts = [`${hostname}.local`, ...addresses.map((a) => (a.includes(":") ? `[${a}]` : a))];
  return `ORIGIN=${hosts.map((h) => `https://${h}`).join(",")}\n`;
}
