import { get } from "node:https";
import type { PolicyFetcher } from "./context.ts";

const MAX_POLICY_BYTES = 64 * 1024;
const FETCH_TIMEOUT_MS = 5000;

/** Fetch https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 3.3): no redirects, bounded size and time. */
export const fetchMtaStsPolicy: PolicyFetcher = (domain) =>
  new Promise((resolve) => {
    const url = `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
    const request = get(url, { timeout: FETCH_TIMEOUT_MS }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve({ ok: false, error: `${url}: HTTP ${response.statusCode}` });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_POLICY_BYTES) {
          request.destroy();
          resolve({ ok: false, error: `${url}: larger than ${MAX_POLICY_BYTES} bytes` });
        } else chunks.push(chunk);
      });
      response.on("end", () => resolve({ ok: true, text: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", (error) => resolve({ ok: false, error: `${url}: ${error.message}` }));
  });
