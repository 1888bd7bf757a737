/** Every export format the generator writes, by name; `writeProgram` writes one program in one format. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appleEgressCsv } from "../generate.ts";
import { writeCampaignMessages } from "../messages.ts";
import type { Program } from "../model.ts";
import { writeMailgun } from "./mailgun.ts";
import { writePmta } from "./pmta.ts";
import { writePostfix } from "./postfix.ts";
import { writeSendGrid } from "./sendgrid.ts";
import { writeSes } from "./ses.ts";

export const FORMATS = [
  "sendgrid",
  "ses",
  "ses-sns",
  "ses-notifications",
  "mailgun",
  "pmta",
  "postfix",
] as const;
export type ExportFormat = (typeof FORMATS)[number];

/** Formats that carry opens and clicks (SES feedback notifications, PowerMTA accounting and Postfix logs do not). */
export const HAS_ENGAGEMENT: Record<ExportFormat, boolean> = {
  sendgrid: true,
  ses: true,
  "ses-sns": true,
  "ses-notifications": false,
  mailgun: true,
  pmta: false,
  postfix: false,
};

export interface WrittenProgram {
  /** Event files to ingest. */
  files: string[];
  /** The campaigns' .eml files (for `diagnose --messages`). */
  messages: string;
  /** Apple's egress ranges the machine opens come from (for `--apple-egress`). */
  appleEgress: string;
  /** `ingest --year` for classic syslog lines. */
  year: number;
}

export function writeProgram(program: Program, dir: string, format: ExportFormat): WrittenProgram {
  mkdirSync(dir, { recursive: true });
  const events = join(dir, "events");
  mkdirSync(events, { recursive: true });
  const file = join(
    events,
    {
      sendgrid: "sendgrid-events.ndjson",
      ses: "ses-events.jsonl",
      "ses-sns": "sns-ses-events.jsonl",
      "ses-notifications": "sns-ses-feedback.jsonl",
      mailgun: "mailgun-webhooks.jsonl",
      pmta: "acct-2026.csv",
      postfix: "maillog",
    }[format],
  );
  if (format === "sendgrid") writeSendGrid(program, file);
  else if (format === "ses") writeSes(program, file, "raw");
  else if (format === "ses-sns") writeSes(program, file, "sns");
  else if (format === "ses-notifications") writeSes(program, file, "notifications");
  else if (format === "mailgun") writeMailgun(program, file);
  else if (format === "pmta") writePmta(program, file);
  else writePostfix(program, file);
  const messages = join(dir, "messages");
  writeCampaignMessages(program, messages);
  const appleEgress = join(dir, "egress-ip-ranges.csv");
  writeFileSync(appleEgress, appleEgressCsv());
  return { files: [file], messages, appleEgress, year: new Date(program.start).getUTCFullYear() };
}
