import { exim } from "./exim.ts";
import type { FormatName } from "./formats.ts";
import { genericCsv } from "./generic-csv.ts";
import { genericNdjson } from "./generic-ndjson.ts";
import { kumomta } from "./kumomta.ts";
import { mailgun } from "./mailgun.ts";
import { pmta } from "./pmta.ts";
import { postfix } from "./postfix.ts";
import { postmark } from "./postmark.ts";
import { sendgrid } from "./sendgrid.ts";
import { ses } from "./ses.ts";
import type { EventSource } from "./source.ts";
import { sparkpost } from "./sparkpost.ts";

/**
 * Every event source, in detection order: specific JSON shapes before the generic NDJSON schema, the
 * PowerMTA header before generic CSV. The first whose `detect` accepts an input's head wins.
 */
export const EVENT_SOURCES: readonly EventSource[] = [
  sendgrid,
  mailgun,
  ses,
  postmark,
  sparkpost,
  kumomta,
  genericNdjson,
  pmta,
  genericCsv,
  postfix,
  exim,
];

export function eventSource(format: FormatName): EventSource | null {
  return EVENT_SOURCES.find((source) => source.id === format) ?? null;
}
