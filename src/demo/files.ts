import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DAY_MS } from "../util/dates.ts";
import type { Campaign } from "./campaigns.ts";
import { generateEvents, type Program } from "./program.ts";
import { PMTA_HEADER, pmtaLine, sendgridLine } from "./writers.ts";

/**
 * Where events go: `by-stream` (the demo) sends marketing through SendGrid and transactional mail through
 * PowerMTA; `sendgrid` / `pmta` write the whole program in one format; `both` writes it whole in each
 * (the benchmark).
 */
export type Layout = "by-stream" | "sendgrid" | "pmta" | "both";

export interface WrittenProgram {
  files: string[];
  /** Source records written (PowerMTA has no opens/clicks/unsubscribes, so fewer there). */
  records: number;
  /** Records per file, in `files` order. */
  perFile: number[];
  /** The latest event's time (ms since the epoch; 0 when none): the clock the demo ingests by. */
  latest: number;
}

/** Streams the program to disk (never held in memory) with backpressure. */
export async function writeProgramFiles(
  program: Program,
  dir: string,
  layout: Layout,
): Promise<WrittenProgram> {
  await mkdir(dir, { recursive: true });
  const sendgrid = layout !== "pmta" ? new LineFile(join(dir, "sendgrid-events.ndjson")) : null;
  const pmta = layout !== "sendgrid" ? new LineFile(join(dir, "pmta-acct.csv")) : null;
  await pmta?.write(PMTA_HEADER);
  let sendgridRecords = 0;
  let pmtaRecords = 0;
  let latest = 0;
  for (const event of generateEvents(program)) {
    if (event.time * 1000 > latest) latest = event.time * 1000;
    const toPmta =
      layout === "pmta" || layout === "both" || (layout === "by-stream" && event.stream === "transactional");
    const toSendgrid = layout === "sendgrid" || layout === "both" || (layout === "by-stream" && !toPmta);
    const pmtaRecord = toPmta ? pmtaLine(event) : null;
    if (pmtaRecord !== null) {
      await pmta?.write(pmtaRecord);
      pmtaRecords++;
    }
    if (toSendgrid) {
      await sendgrid?.write(sendgridLine(event));
      sendgridRecords++;
    }
  }
  const files = [];
  const perFile = [];
  if (sendgrid) {
    files.push(await sendgrid.close());
    perFile.push(sendgridRecords);
  }
  if (pmta) {
    files.push(await pmta.close());
    perFile.push(pmtaRecords);
  }
  return { files, records: sendgridRecords + pmtaRecords, perFile, latest };
}

class LineFile {
  private readonly stream: WriteStream;
  private buffer: string[] = [];
  private size = 0;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    this.stream = createWriteStream(path);
  }

  async write(line: string): Promise<void> {
    this.buffer.push(line);
    this.size += line.length;
    if (this.size > 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = `${this.buffer.join("\n")}\n`;
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk))
      await new Promise<void>((resolve) => this.stream.once("drain", () => resolve()));
  }

  async close(): Promise<string> {
    if (this.buffer.length > 0) await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.once("error", reject);
      this.stream.end(() => resolve());
    });
    return this.path;
  }
}

/** One .eml per campaign with its `X-Campaign-ID`, for `diagnose --messages`. */
export async function writeCampaignMessages(
  campaigns: Campaign[],
  dir: string,
  start: string,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const c of campaigns) {
    const date = new Date(Date.parse(`${start}T14:00:00Z`) + c.day * DAY_MS).toUTCString();
    const links = c.links.map((url) => `<p><a href="${url}">${url}</a></p>`).join("\r\n");
    const message = [
      `From: Example Shop <news@mail.example-shop.com>`,
      `To: subscriber@example.com`,
      `Subject: ${c.subject}`,
      `Date: ${date}`,
      `Message-ID: <${c.id}@mail.example-shop.com>`,
      `X-Campaign-ID: ${c.id}`,
      `List-Unsubscribe: <https://www.example-shop.com/unsubscribe>, <mailto:unsubscribe@mail.example-shop.com>`,
      `List-Unsubscribe-Post: List-Unsubscribe=One-Click`,
      `MIME-Version: 1.0`,
      `Content-Type: text/html; charset=utf-8`,
      "",
      `<html><body><h1>${c.subject}</h1>\r\n${links}\r\n<p><a href="https://www.example-shop.com/unsubscribe">Unsubscribe</a></p></body></html>`,
      "",
    ].join("\r\n");
    const path = join(dir, `${c.id}.eml`);
    await writeFile(path, message);
    paths.push(path);
  }
  return paths;
}
