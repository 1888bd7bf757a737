import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { after, before, describe, it } from "node:test";
import { runAudit } from "../../src/audit/audit.ts";
import { loadBlocklists } from "../../src/audit/blocklist-data.ts";
import { auditContext } from "../../src/audit/context.ts";
import { createMtaStsFetcher } from "../../src/audit/policy-fetch.ts";
import { createResolver } from "../../src/dns/index.ts";
import { auditZones, CLEAN_DOMAIN } from "../../testkit/dns-zones.ts";
import { closeServer, listenLoopback } from "../../testkit/loopback.ts";

const fixture = (name: string) => readFile(new URL(`../fixtures/audit/${name}`, import.meta.url));
const POLICY = "version: STSv1\nmode: enforce\nmx: mx1.clean.test\nmax_age: 604800\n";
/** Path → [status, body]; the fetcher must only ever ask for the well-known path. */
let routes: Record<string, [number, string]> = {};
let server: Server;
let port: number;
let ca: Buffer;

before(async () => {
  ca = await fixture("mta-sts-cert.pem");
  server = createServer({ key: await fixture("mta-sts-key.pem"), cert: ca }, (request, response) => {
    const host = request.headers.host ?? "";
    const [status, body] = routes[`${host.split(":")[0]}${request.url}`] ?? [404, "not found"];
    response.writeHead(status, { "content-type": "text/plain" }).end(body);
  });
  port = await listenLoopback(server);
});
after(() => closeServer(server));

const lists = await loadBlocklists();
const zones = { ...auditZones(lists), "mta-sts.clean.test": { A: ["127.0.0.1"] } };
const fetcher = (options: { trust?: boolean } = {}) =>
  createMtaStsFetcher(createResolver({ mode: "zones", zones }), {
    port,
    ca: options.trust === false ? undefined : ca,
    timeoutMs: 2000,
  });

describe("MTA-STS policy fetch (online checks) against a local HTTPS server", () => {
  it("fetches the policy from the well-known path, resolving the host with the shared resolver", async () => {
    routes = { "mta-sts.clean.test/.well-known/mta-sts.txt": [200, POLICY] };
    assert.deepEqual(await fetcher()(CLEAN_DOMAIN), { ok: true, text: POLICY });
  });

  it("reports an HTTP error status", async () => {
    routes = {};
    const result = await fetcher()(CLEAN_DOMAIN);
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.error, /HTTP 404/);
  });

  it("refuses a certificate it cannot verify", async () => {
    routes = { "mta-sts.clean.test/.well-known/mta-sts.txt": [200, POLICY] };
    const result = await fetcher({ trust: false })(CLEAN_DOMAIN);
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.error, /certificate/i);
  });

  it("refuses an oversized policy", async () => {
    routes = { "mta-sts.clean.test/.well-known/mta-sts.txt": [200, "x".repeat(70 * 1024)] };
    const result = await fetcher()(CLEAN_DOMAIN);
    assert.match(result.ok ? "" : result.error, /larger than/);
  });

  it("a host without an address is an error, not a crash", async () => {
    const result = await fetcher()("nowhere.test");
    assert.match(result.ok ? "" : result.error, /no address|ENOTFOUND/);
  });

  it("the audit reports the fetched policy and the MX it covers", async () => {
    routes = { "mta-sts.clean.test/.well-known/mta-sts.txt": [200, POLICY] };
    const resolver = createResolver({ mode: "zones", zones });
    const report = await runAudit(auditContext(resolver, CLEAN_DOMAIN, lists, { fetchPolicy: fetcher() }));
    assert.deepEqual(report.mtaSts.policy, {
      status: "fetched",
      mode: "enforce",
      mx: ["mx1.clean.test"],
      maxAge: 604800,
      mxNotCovered: [],
    });
  });
});
