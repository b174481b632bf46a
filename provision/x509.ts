// @peculiar/x509 resolves its dependencies through tsyringe, which needs the Reflect metadata
// polyfill loaded first: import x509 from here, never from the package directly.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(crypto);

export { x509 };
