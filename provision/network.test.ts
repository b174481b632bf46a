import { expect, test } from "bun:test";
import type { NetworkInterfaceInfo } from "node:os";
import { lanAddresses, webOriginsEnv } from "./network";

const info = (address: string, family: "IPv4" | "IPv6", internal = false) =>
  ({ address, family, internal, netmask: "", mac: "", cidr: null, scopeid: 0 }) as NetworkInterfaceInfo;

test("LAN addresses skip loopback, link-local and container bridges", () => {
  const addresses = lanAddresses({
    lo: [info("127.0.0.1", "IPv4", true), info("::1", "IPv6", true)],
    eth0: [info("192.168.1.20", "IPv4"), info("fe80::1", "IPv6"), info("fd00::20", "IPv6")],
    enp2s0: [info("169.254.3.3", "IPv4")],
    docker0: [info("172.17.0.1", "IPv4")],
  });
  expect(addresses).toEqual(["192.168.1.20", "fd00::20"]);
});

test("the mDNS origin comes first so it becomes the WebAuthn rpID", () => {
  expect(webOriginsEnv("nas", ["10.0.2.15", "fd00::20"])).toBe("ORIGIN=https://nas.local,https://10.0.2.15,https://[fd00::20]\n");
});
