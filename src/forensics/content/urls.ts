import { parse } from "tldts";
import redirectors from "../../../data/redirectors.json" with { type: "json" };
import shorteners from "../../../data/shorteners.json" with { type: "json" };
import { orgDomain } from "../message.ts";

/** One http(s) URL found in the body, with where it came from. */
export interface BodyUrl {
  url: string;
  host: string;
  /** Registrable domain (tldts), or the IP literal itself. */
  domain: string;
  ipLiteral: boolean;
  from: "anchor" | "image" | "text";
}

const TEXT_URL = /\bhttps?:\/\/[^\s<>"'`()[\]{}]{1,2000}/gi;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

const SHORTENERS: readonly string[] = shorteners.entries.map((entry) => entry.domain);
const REDIRECTORS = redirectors.entries.map((entry) => ({
  id: entry.id,
  host: entry.host,
  path: new RegExp(entry.path),
  params: entry.param ? entry.param.split("|") : [],
}));

export function toBodyUrl(raw: string, from: BodyUrl["from"]): BodyUrl | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (!host) return null;
  const ipLiteral = IPV4.test(host) || host.startsWith("[");
  return { url: url.href, host, domain: ipLiteral ? host : orgDomain(host), ipLiteral, from };
}

export function urlsInText(text: string): string[] {
  return [...text.matchAll(TEXT_URL)].map((match) => match[0].replace(/[.,;:!?]+$/, ""));
}

/** Each shortener's place in the data file (the first listed wins when several match). */
const SHORTENER_RANK = new Map<string, number>();
for (const [rank, domain] of SHORTENERS.entries())
  if (!SHORTENER_RANK.has(domain)) SHORTENER_RANK.set(domain, rank);

/** Whether the host is (a subdomain of) a listed shortener: suffix matched at a dot. */
export function shortenerOf(host: string): string | null {
  let best: number | undefined;
  let dot = -1;
  do {
    const rank = SHORTENER_RANK.get(host.slice(dot + 1));
    if (rank !== undefined && (best === undefined || rank < best)) best = rank;
    dot = host.indexOf(".", dot + 1);
  } while (dot >= 0);
  return best === undefined ? null : SHORTENERS[best];
}

/** A known redirector id, "url-in-parameter" for any query carrying an http(s) URL, or null. */
export function redirectorOf(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  const domain = orgDomain(url.hostname.toLowerCase());
  for (const redirector of REDIRECTORS) {
    if (domain !== redirector.host || !redirector.path.test(url.pathname)) continue;
    if (redirector.params.length === 0 || redirector.params.some((param) => url.searchParams.has(param)))
      return redirector.id;
  }
  for (const value of url.searchParams.values()) {
    if (/^(?:https?:)?\/\/[^/\s]+\.[^/\s]+/i.test(value.trim())) return "url-in-parameter";
  }
  return null;
}

/**
 * The domain a link's text displays when the text *is* a URL or host name ("www.paypal.com/login",
 * "https://bank.example"), or null. Brand mentions inside a sentence ("read it at News.com") are not
 * a displayed link target, so the whole text must be the address.
 */
const DISPLAYED_URL =
  /^(?:https?:\/\/)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,10}[a-z]{2,24})\.?(?:[:/?#][^\s]*)?$/i;

export function displayedDomain(text: string): string | null {
  const candidate = DISPLAYED_URL.exec(text.trim());
  if (!candidate) return null;
  const parsed = parse(candidate[1].toLowerCase());
  if (!parsed.domain || !(parsed.isIcann || parsed.isPrivate)) return null;
  return parsed.domain;
}
