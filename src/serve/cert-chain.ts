import { X509Certificate } from "node:crypto";
import { getCACertificates } from "node:tls";

/**
 * Whether a signing certificate chains to a trusted certificate authority — AWS asks SNS receivers to
 * "validate the chain" of the certificate at SigningCertURL, not only its host
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html). node:crypto's
 * X509Certificate does the math (`checkIssued` for the names and key identifiers, `verify` for the signature);
 * this builds the path: leaf → intermediates (sent with the leaf, in the trust bundle, or fetched from the
 * leaf's "CA Issuers" address) → a trust anchor, each certificate valid now and each issuer a CA.
 */
export interface TrustAnchors {
  roots: X509Certificate[];
  /** Certificates that may complete a chain without being trusted themselves. */
  intermediates: X509Certificate[];
  /** Where the anchors came from (for messages). */
  source: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM text (a bundle, or a leaf followed by its chain), in order. */
export function pemCertificates(text: string): X509Certificate[] {
  return (text.match(PEM_CERT) ?? []).map((block) => new X509Certificate(block));
}

/**
 * The anchors: every self-signed CA of a configured PEM bundle (its other certificates are intermediates),
 * or, without one, the system's CA store together with Node's bundled Mozilla store.
 */
export function trustAnchors(bundle: { path: string; text: string } | null): TrustAnchors {
  if (bundle) {
    const certs = pemCertificates(bundle.text);
    if (certs.length === 0) throw new Error(`${bundle.path}: no PEM certificate in it`);
    const selfSigned = (c: X509Certificate) => c.checkIssued(c) && c.verify(c.publicKey);
    return {
      roots: certs.filter(selfSigned),
      intermediates: certs.filter((c) => !selfSigned(c)),
      source: bundle.path,
    };
  }
  const seen = new Set<string>();
  const roots: X509Certificate[] = [];
  for (const pem of [...getCACertificates("system"), ...getCACertificates("bundled")]) {
    const cert = new X509Certificate(pem);
    if (seen.has(cert.fingerprint256)) continue;
    seen.add(cert.fingerprint256);
    roots.push(cert);
  }
  return { roots, intermediates: [], source: "the system CA store" };
}

/** Fetches the issuer a certificate names under "CA Issuers" (or null: not fetched). */
export type IssuerFetcher = (url: string) => Promise<X509Certificate | null>;

const MAX_DEPTH = 6;

/**
 * Throws unless the first certificate of `pem` chains to one of the anchors; the other certificates of
 * `pem` may serve as intermediates. Returns the leaf.
 */
export async function verifyChain(
  pem: string,
  anchors: TrustAnchors,
  nowMs: number,
  fetchIssuer: IssuerFetcher | null = null,
): Promise<X509Certificate> {
  const [leaf, ...sent] = pemCertificates(pem);
  if (!leaf) throw new Error("no PEM certificate");
  const pool = [...sent, ...anchors.intermediates];
  const issues = (issuer: X509Certificate, cert: X509Certificate) =>
    issuer.ca && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  let cert = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!validAt(cert, nowMs)) throw new Error(`certificate ${cert.subject} is not valid now`);
    if (anchors.roots.some((root) => root.fingerprint256 === cert.fingerprint256)) return leaf;
    const root = anchors.roots.find((r) => validAt(r, nowMs) && issues(r, cert));
    if (root) return leaf;
    let issuer = pool.find((c) => issues(c, cert));
    if (!issuer && fetchIssuer) {
      for (const url of caIssuers(cert)) {
        const fetched = await fetchIssuer(url).catch(() => null);
        if (fetched && issues(fetched, cert)) {
          issuer = fetched;
          break;
        }
      }
    }
    if (!issuer) throw new Error(`certificate does not chain to a CA trusted by ${anchors.source}`);
    cert = issuer;
  }
  throw new Error(`certificate chain longer than ${MAX_DEPTH}`);
}

function validAt(cert: X509Certificate, nowMs: number): boolean {
  return Date.parse(cert.validFrom) <= nowMs && nowMs <= Date.parse(cert.validTo);
}

/** The "CA Issuers" URLs of a certificate's Authority Information Access extension. */
export function caIssuers(cert: X509Certificate): string[] {
  const urls: string[] = [];
  for (const line of (cert.infoAccess ?? "").split("\n")) {
    const match = /^CA Issuers - URI:(\S+)$/.exec(line.trim());
    if (match) urls.push(match[1]);
  }
  return urls;
}

/**
 * Amazon's certificate authority publishes its intermediates at `http(s)://*.amazontrust.com/…`
 * (https://www.amazontrust.com/repository/): only there is an issuer fetched, so a forged certificate
 * cannot make the server fetch anything else. A fetched certificate is trusted only through the chain.
 */
const ISSUER_HOST = /(^|\.)amazontrust\.com$/;
const MAX_ISSUER_BYTES = 64 * 1024;

export function amazonIssuerFetcher(fetcher: typeof fetch = fetch): IssuerFetcher {
  const cache = new Map<string, Promise<X509Certificate | null>>();
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return Promise.resolve(null);
    }
    if (!/^https?:$/.test(parsed.protocol) || !ISSUER_HOST.test(parsed.hostname) || parsed.port !== "")
      return Promise.resolve(null);
    let issuer = cache.get(url);
    if (!issuer) {
      issuer = fetcher(url, { redirect: "error", signal: AbortSignal.timeout(10_000) }).then(
        async (response) => {
          if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
          if (Number(response.headers.get("content-length") ?? 0) > MAX_ISSUER_BYTES)
            throw new Error(`${url}: larger than ${MAX_ISSUER_BYTES} bytes`);
          const body = Buffer.from(await response.arrayBuffer());
          if (body.length > MAX_ISSUER_BYTES)
            throw new Error(`${url}: larger than ${MAX_ISSUER_BYTES} bytes`);
          return new X509Certificate(body);
        },
      );
      issuer.catch(() => cache.delete(url));
      cache.set(url, issuer);
      if (cache.size > 16) cache.delete(cache.keys().next().value as string);
    }
    return issuer;
  };
}
