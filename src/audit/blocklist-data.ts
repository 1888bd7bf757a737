import { readFile } from "node:fs/promises";
import { isSeverity, SEVERITY_ORDER, type Severity } from "../util/severity.ts";

/** One return code of a list: an exact answer (`codes` scale / reputation) or a bit (`bitmask` scale). */
export interface ListCode {
  answer?: string;
  bit?: number;
  meaning: string;
  severity: Severity;
  /** False for reputation codes that are not a listing (Mailspike neutral/good). Default true. */
  listing?: boolean;
}

export interface ErrorAnswer {
  answer: string;
  meaning: string;
}

export interface Blocklist {
  id: string;
  name: string;
  kind: "ip" | "domain";
  zone: string;
  /** Zone used with --dqs-key; `{key}` is replaced by the key. */
  dqsZone?: string;
  scale: "codes" | "reputation" | "bitmask";
  codes: ListCode[];
  /** Answers that mean "the list refused / could not answer", never a listing. */
  errorAnswers?: ErrorAnswer[];
  /** Bits that mean "query refused" on bitmask lists (URIBL/SURBL bit 1). */
  errorBits?: { bit: number; meaning: string }[];
  refusedFix: string;
  /** RFC 5782 test points: `listed` must answer, `unlisted` (optional) must not. */
  testPoint: { listed: string; unlisted?: string };
  delist?: string;
  source: string;
}

export interface RetiredList {
  name: string;
  /** A zone suffix: a configured list whose zone is this or below it is refused. */
  zone: string;
  retiredOn: string | null;
  explanation: string;
  source: string;
}

export interface BlocklistData {
  lists: Blocklist[];
  retired: RetiredList[];
}

export const DEFAULT_BLOCKLISTS_FILE = new URL("../../data/blocklists.json", import.meta.url);

/** Thrown when a --lists file cannot be used; the message names the file and the entry. */
export class BlocklistDataError extends Error {}

/**
 * Load a blocklist data file. A user file replaces the lists; the retired-list knowledge of the
 * built-in file always applies, so a configured SORBS zone is refused with its explanation.
 */
export async function loadBlocklists(file?: string): Promise<BlocklistData> {
  const builtIn = validate(await readJson(DEFAULT_BLOCKLISTS_FILE), "built-in data/blocklists.json");
  if (!file) return builtIn;
  const user = validate(await readJson(file), file);
  const retired = [...user.retired];
  for (const entry of builtIn.retired) if (!retired.some((r) => r.zone === entry.zone)) retired.push(entry);
  return { lists: user.lists, retired };
}

/** Switch lists that have a DQS zone to it (Spamhaus Data Query Service with a free key). */
export function withDqsKey(data: BlocklistData, key: string | undefined): BlocklistData {
  if (!key) return data;
  if (!/^[a-z0-9]{20,40}$/i.test(key))
    throw new BlocklistDataError("--dqs-key must be a Spamhaus DQS key (letters and digits)");
  const lists = data.lists.map((list) =>
    list.dqsZone ? { ...list, zone: list.dqsZone.replace("{key}", key.toLowerCase()) } : list,
  );
  return { ...data, lists };
}

async function readJson(file: string | URL): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new BlocklistDataError(`cannot read ${String(file)}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BlocklistDataError(`${String(file)} is not JSON: ${(error as Error).message}`);
  }
}

function validate(raw: unknown, file: string): BlocklistData {
  const fail = (where: string, what: string): never => {
    throw new BlocklistDataError(`${file}: ${where}: ${what}`);
  };
  if (!isObject(raw) || !Array.isArray(raw.lists))
    return fail("top level", 'expected an object with a "lists" array');
  const lists = raw.lists.map((entry: unknown, i: number) => {
    const where = `lists[${i}]`;
    if (!isObject(entry)) return fail(where, "not an object");
    for (const key of ["id", "name", "zone", "refusedFix", "source"]) {
      if (typeof entry[key] !== "string" || entry[key] === "")
        fail(where, `"${key}" must be a non-empty string`);
    }
    if (entry.kind !== "ip" && entry.kind !== "domain") fail(where, '"kind" must be "ip" or "domain"');
    if (!["codes", "reputation", "bitmask"].includes(entry.scale as string)) {
      fail(where, '"scale" must be codes, reputation or bitmask');
    }
    if (!Array.isArray(entry.codes)) fail(where, '"codes" must be an array');
    for (const code of entry.codes as unknown[]) {
      if (!isObject(code) || typeof code.meaning !== "string") fail(where, "every code needs a meaning");
      const c = code as Record<string, unknown>;
      if (typeof c.severity !== "string" || !isSeverity(c.severity))
        fail(where, `severity must be one of ${SEVERITY_ORDER.join("|")}`);
      if (entry.scale === "bitmask" ? typeof c.bit !== "number" : typeof c.answer !== "string") {
        fail(where, entry.scale === "bitmask" ? "bitmask codes need a numeric bit" : "codes need an answer");
      }
    }
    if (!isObject(entry.testPoint) || typeof entry.testPoint.listed !== "string") {
      fail(where, '"testPoint.listed" is required (RFC 5782 test point)');
    }
    return { ...entry, zone: (entry.zone as string).toLowerCase() } as unknown as Blocklist;
  });
  const retired = (Array.isArray(raw.retired) ? raw.retired : []).map((entry: unknown, i: number) => {
    if (!isObject(entry) || typeof entry.zone !== "string" || typeof entry.explanation !== "string") {
      return fail(`retired[${i}]`, "needs zone and explanation");
    }
    return { ...entry, zone: entry.zone.toLowerCase() } as unknown as RetiredList;
  });
  return { lists, retired };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
