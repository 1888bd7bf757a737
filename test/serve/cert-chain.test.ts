import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { amazonIssuerFetcher, trustAnchors, verifyChain } from "../../src/serve/cert-chain.ts";
import { hasOpenssl, snsSigner } from "../../testkit/serve.ts";

const skip = hasOpenssl() ? false : "openssl not found: certificate tests skipped";
if (skip && process.env.CI === "true") throw new Error(skip);
const dir = mkdtempSync(join(tmpdir(), "deliverlens-cert-chain-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a leaf sent without its intermediate chains through the issuer fetched from Amazon's CA host only", {
  skip,
}, async () => {
  const pki = snsSigner(dir);
  const anchors = trustAnchors({ path: pki.caFile, text: readFileSync(pki.caFile, "utf8") });
  const leaf = readFileSync(join(dir, "leaf.pem"), "utf8");
  const intermediate = new X509Certificate(readFileSync(join(dir, "intermediate.pem")));
  const now = Date.now();
  await assert.rejects(verifyChain(leaf, anchors, now), /does not chain to a CA trusted by/);
  assert.equal(
    (await verifyChain(leaf, anchors, now, async () => intermediate)).subject,
    "CN=sns.amazonaws.com",
  );
  await assert.rejects(
    verifyChain(leaf, anchors, now + 10 * 86_400_000, async () => intermediate),
    /not valid now/,
  );

  const asked: string[] = [];
  const fetcher = (async (url: string) => {
    asked.push(url);
    return new Response(new Uint8Array(intermediate.raw));
  }) as typeof fetch;
  const fetchIssuer = amazonIssuerFetcher(fetcher);
  assert.equal(await fetchIssuer("http://169.254.169.254/latest/meta-data/"), null);
  assert.equal(await fetchIssuer("http://crt.amazontrust.com.evil.example/r.cer"), null);
  assert.equal(await fetchIssuer("file:///etc/passwd"), null);
  assert.deepEqual(asked, [], "nothing off Amazon's CA host is fetched");
  const fetched = await fetchIssuer("http://crt.r2m01.amazontrust.com/r2m01.cer");
  assert.equal(fetched?.fingerprint256, intermediate.fingerprint256);
  await fetchIssuer("http://crt.r2m01.amazontrust.com/r2m01.cer");
  assert.deepEqual(asked, ["http://crt.r2m01.amazontrust.com/r2m01.cer"], "fetched once, then cached");
});
