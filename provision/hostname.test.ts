import { expect, test } from "bun:test";
import { InvalidHostnameError, isValidHostname, parseHostname } from "./hostname";

test("accepts DNS labels and normalises case and a .local suffix", () => {
  expect(parseHostname("nas")).toBe("nas");
  expect(parseHostname(" Attic-NAS-2 ")).toBe("attic-nas-2");
  expect(parseHostname("garage.local")).toBe("garage");
  expect(parseHostname("a".repeat(63))).toBe("a".repeat(63));
});

test("rejects what mDNS or browsers would not treat as one host name", () => {
  for (const bad of ["", "-nas", "nas-", "my nas", "nas.home", "näs", "1234", "a".repeat(64), "nas_1"]) {
    expect(() => parseHostname(bad)).toThrow(InvalidHostnameError);
    expect(isValidHostname(bad)).toBe(false);
  }
});
