import { providerFromDomain, recipientDomain } from "../bounce/provider.ts";
import { PROVIDERS, type Provider } from "../bounce/vocabulary.ts";
import {
  AccountError,
  checkSecretEnvName,
  MAILBOX_AUTHS,
  type MailboxAccount,
  type MailboxAuth,
  parseImapUrl,
} from "../mailbox/index.ts";

/** One seed mailbox: the address the campaign is sent to and how to read it over IMAP. */
export interface Seed {
  address: string;
  /** A provider id (apple, google, yahoo, microsoft, …) when the column or the address names one, else the column as written (lowercased). */
  provider: string;
  account: MailboxAccount;
  /** 1-based line of the seed list. */
  line: number;
}

export interface SeedListProblem {
  line: number;
  message: string;
}

export interface SeedList {
  seeds: Seed[];
  /** Rows left out, each with its line; the other rows are used. */
  problems: SeedListProblem[];
}

/** Columns of the seed list (RFC 4180 CSV with a header row); `auth` is optional. */
export const SEED_COLUMNS = ["address", "provider", "imap_url", "username", "password_env"] as const;
/** More seeds than this in one list is refused (a list is dozens to a few hundred). */
export const MAX_SEEDS = 5000;
const MAX_FIELD = 2048;

/** Thrown when the list cannot be used at all (no header, a missing column, too many rows). */
export class SeedListError extends Error {}

/**
 * Parse a seed list. A bad row (no @ in the address, an unknown auth, an IMAP URL carrying a password, a
 * secret where a variable NAME belongs) is a problem with its line and the other rows are used.
 */
export function parseSeedList(text: string): SeedList {
  const records = csvRecords(text.replace(/^\uFEFF/, ""));
  const header = records.shift();
  if (!header)
    throw new SeedListError(
      "empty seed list: expected the header address,provider,imap_url,username,password_env",
    );
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const missing = SEED_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0)
    throw new SeedListError(
      `line ${header.line}: the header lacks ${missing.join(", ")} (expected address,provider,imap_url,username,password_env[,auth])`,
    );
  if (records.length > MAX_SEEDS)
    throw new SeedListError(`${records.length} seeds: more than the ${MAX_SEEDS} a list may hold`);
  const at = (column: string) => names.indexOf(column);
  const seeds: Seed[] = [];
  const problems: SeedListProblem[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    if (record.fields.every((field) => field.trim() === "")) continue;
    const get = (column: string) => (at(column) >= 0 ? (record.fields[at(column)] ?? "").trim() : "");
    try {
      if (record.fields.some((field) => field.length > MAX_FIELD))
        throw new Error(`a field longer than ${MAX_FIELD} characters`);
      const address = get("address");
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) throw new Error(`not an email address: "${address}"`);
      if (seen.has(address.toLowerCase())) throw new Error(`${address} is listed twice`);
      const imapUrl = get("imap_url");
      parseImapUrl(imapUrl);
      const username = get("username") || address;
      const secretEnv = checkSecretEnvName(get("password_env"));
      const authText = get("auth").toLowerCase() || "password";
      if (!(MAILBOX_AUTHS as readonly string[]).includes(authText))
        throw new Error(`auth "${get("auth")}": expected ${MAILBOX_AUTHS.join(" or ")}`);
      seen.add(address.toLowerCase());
      seeds.push({
        address,
        provider: seedProvider(get("provider"), address),
        account: { imapUrl, username, secretEnv, auth: authText as MailboxAuth },
        line: record.line,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const column = error instanceof AccountError ? `${error.field}: ` : "";
      problems.push({ line: record.line, message: `${column}${message}` });
    }
  }
  return { seeds, problems };
}

/** The provider column (an id, a mailbox domain or its first label), else the address's domain. */
export function seedProvider(column: string, address: string): string {
  const key = column.trim().toLowerCase();
  if ((PROVIDERS as readonly string[]).includes(key)) return key as Provider;
  const fromColumn = key ? (providerFromDomain(key.includes(".") ? key : `${key}.com`) ?? null) : null;
  if (fromColumn && fromColumn !== "other") return fromColumn;
  const domain = recipientDomain(address);
  const fromAddress = domain ? providerFromDomain(domain) : null;
  if (!key) return fromAddress ?? "other";
  return fromAddress && fromAddress !== "other" ? fromAddress : key;
}

interface CsvRecord {
  line: number;
  fields: string[];
}

/** RFC 4180 records: quoted fields with commas, doubled quotes and line breaks; CRLF or LF. */
function csvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      fields.push(field);
      records.push({ line: start, fields });
      fields = [];
      field = "";
      line++;
      start = line;
    } else field += c;
  }
  if (field !== "" || fields.length > 0) {
    fields.push(field);
    records.push({ line: start, fields });
  }
  return records;
}
