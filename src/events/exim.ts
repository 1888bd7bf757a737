import { leadingReplyCode, leadingStatus } from "../bounce/reply.ts";
import { type SmtpCommand, smtpCommandIn } from "../bounce/smtp-command.ts";
import { DAY_MS } from "../util/dates.ts";
import { AgedMap } from "./aged-map.ts";
import type { EventType } from "./event.ts";
import type { EventSource, Out, ParseContext, Shard } from "./source.ts";
import { idHash, newEvent, problem, shardOf } from "./source.ts";
import { zonedIso } from "./syslog-time.ts";
import { detach, domainOf, own } from "./values.ts";

/**
 * Exim main log (`log_file_path`…/mainlog). Flags per the Exim spec, chapter "Log files",
 * section "Reducing or increasing what is logged" / "Log line flags".
 */
export const exim: EventSource = {
  id: "exim",
  source: "https://www.exim.org/exim-html-current/doc/html/spec_html/ch-log_files.html",
  detect: (head) => LINE.test(head.split("\n", 20).find((line) => LINE.test(line)) ?? ""),
  shards: true,
  create: (context) => new EximParser(context),
};

// time [zone] [pid] message-id flag rest
const LINE =
  /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)(?: ([+-]\d{4}))?(?: \[\d+\])? ([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) (<=|=>|->|\*\*|==|\*>|Completed)(?: (.*))?$/;

/**
 * A delivery, bounce or deferral line (a message id, then `=>`, `->`, `**` or `==`) whose stamp is not Exim's
 * (`- 1vAbCd-000123-AB ** a@b …`, a log cut or rewritten): a problem rather than nothing (review R154, as
 * postfix.ts). Tested only on a line LINE refused that does not start with a stamp.
 */
const STAMP_START = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;
const UNSTAMPED_DELIVERY = /(?:^|\s)[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} (?:=>|->|\*\*|==) /;
const UNSTAMPED = "an Exim delivery line whose time cannot be read (no Exim stamp)";

const FLAG_TYPES: Record<string, EventType> = {
  "=>": "delivered",
  "->": "delivered",
  "**": "bounced",
  "==": "deferred",
};

/** Exim states the reply after "SMTP error from remote mail server after <command>: ". */
const REPLY_IN_ERROR = /: ([245]\d\d[ -].*)$/;
/**
 * "SMTP error from remote mail server after RCPT TO:<x@example.com>: 550 …", "… after pipelined end of
 * data: …", "… after initial connection: …" (transports/smtp.c): the command, without its argument.
 */
const ERROR_AFTER = /\bSMTP error from remote mail(?:er| server) after (?:pipelined )?([^:<]{1,40})/;
const HOST = / H=(\S+?)(?:\s+\[([^\]]+)\])?(?:[:,]|\s|$)/;
const CONFIRMATION = / C="((?:[^"\\]|\\.)*)"/;
const MESSAGE_ID = / id=(\S+)/;
/**
 * Exim writes a remote server's multi-line reply on one log line, each line break as the two characters `\n`
 * (its log text turns non-printing characters into backslash escapes, as the spec's `${escape:…}` operator does:
 * https://www.exim.org/exim-html-current/doc/html/spec_html/ch-string_expansions.html). Read back as line
 * breaks, the reply's lines join as a bounce email's do, so a phrase split over two lines reads whole (Exchange
 * Online's "550-5.4.1 Recipient address rejected:\n550 5.4.1 Access denied": review R121, Exim 4.96's log).
 */
const ESCAPED_LINE_BREAK = /\\n/g;

/**
 * A message's sender and Message-ID are kept until `Completed`, which a grep'd or cut log never has: at
 * most this many, each at least 5 days after its last line (Exim's default retry rule gives up after
 * 4 days: https://www.exim.org/exim-html-current/doc/html/spec_html/ch-retry_configuration.html).
 */
const MAX_MESSAGES = 200_000;
const MESSAGE_LIFETIME_MS = 5 * DAY_MS;

interface Message {
  /**
   * Whether its `<=` line was read. An entry a grep'd log's deferral made holds only hosts: forgetting it
   * loses no sender or Message-ID, so it is not counted among the evicted.
   */
  arrived: boolean;
  sender: string | null;
  messageId: string | null;
  /**
   * Recipient, host, recipient, host…: the remote host each recipient's last deferral named (null: none
   * yet). Exim's final "** a@b: retry timeout exceeded" names no host, where Postfix's status=expired line
   * names its last relay; the failure takes the host its recipient was last tried at (review R123).
   */
  deferredAt: string[] | null;
}

/** Recipients of one message whose deferral host is kept (a message to more keeps the first ones'). */
const MAX_DEFERRED_RECIPIENTS = 64;

class EximParser {
  private readonly file: string;
  private readonly tz: string;
  private readonly messages: AgedMap<Message>;
  /** Only the message ids of this shard are read (null: all). */
  private readonly shard: Shard | null;

  constructor(context: ParseContext) {
    this.file = context.file;
    this.tz = context.tz;
    this.shard = context.shard ?? null;
    const counters = context.counters;
    // Shards share the bound: each holds about its share of the messages.
    const max = Math.ceil(MAX_MESSAGES / (this.shard?.count ?? 1));
    this.messages = new AgedMap<Message>(MESSAGE_LIFETIME_MS, max, (message) => {
      if (counters && message.arrived) counters.evicted++;
    });
  }

  line(text: string, lineNo: number, out: Out): void {
    const m = LINE.exec(text);
    if (!m) {
      if (!STAMP_START.test(text) && UNSTAMPED_DELIVERY.test(text))
        out.push(problem(this.file, lineNo, UNSTAMPED, text));
      return;
    }
    const [, stamp, zone, id, flag] = m;
    if (this.shard !== null && shardOf(idHash(id), this.shard.count) !== this.shard.index) return;
    const rest = m[5] ?? "";
    if (flag === "Completed") {
      this.messages.delete(id);
      return;
    }
    if (flag === "<=") {
      const sender = rest.slice(0, rest.indexOf(" ") >>> 0);
      // Kept until `Completed`: copies, so the decoded chunk the line came from can be freed.
      this.messages.set(
        detach(id),
        {
          arrived: true,
          sender: sender === "<>" || sender === "" ? null : detach(sender),
          messageId: detach(MESSAGE_ID.exec(rest)?.[1] ?? null),
          deferredAt: null,
        },
        Date.parse(zonedIso(zone ? `${stamp} ${zone}` : stamp, this.tz) ?? ""),
      );
      return;
    }
    const type = own(FLAG_TYPES, flag);
    if (!type) return;
    const event = newEvent(type, this.file, lineNo);
    event.time = zonedIso(zone ? `${stamp} ${zone}` : stamp, this.tz);
    const space = rest.indexOf(" ");
    event.recipient = (space < 0 ? rest : rest.slice(0, space)).replace(/:$/, "") || null;
    const known = this.messages.get(id);
    event.sender = known?.sender ?? null;
    event.sendingDomain = domainOf(event.sender);
    event.messageId = known?.messageId ?? null;
    event.queueId = id;
    const host = HOST.exec(rest);
    if (host) event.remoteMta = host[1].toLowerCase();
    if (type === "deferred") {
      if (event.remoteMta !== null && event.recipient !== null)
        this.deferredAt(id, known, event.recipient, event.remoteMta);
    } else if (type === "bounced" && event.remoteMta === null && known?.deferredAt)
      event.remoteMta = lastHost(known.deferredAt, event.recipient);
    const reply = type === "delivered" ? CONFIRMATION.exec(rest)?.[1] : errorText(rest);
    if (reply) {
      event.reply =
        type !== "delivered" && reply.includes("\\n") ? reply.replace(ESCAPED_LINE_BREAK, "\n") : reply;
      if (type !== "delivered") event.smtpCommand = commandBefore(rest, reply);
      event.replyCode = leadingReplyCode(reply);
      event.status = leadingStatus(reply);
    }
    out.push(event);
  }

  /** Keeps `host` as where `recipient`'s last deferral of message `id` (`known`, if kept) was tried. */
  private deferredAt(id: string, known: Message | undefined, recipient: string, host: string): void {
    if (known === undefined) {
      // A grep'd log has no `<=` line: the message is kept from its first deferral (no time: the latest seen).
      this.messages.set(
        id,
        { arrived: false, sender: null, messageId: null, deferredAt: [detach(recipient), detach(host)] },
        Number.NaN,
      );
      return;
    }
    const pairs = known.deferredAt;
    if (pairs === null) {
      known.deferredAt = [detach(recipient), detach(host)];
      return;
    }
    for (let i = 0; i < pairs.length; i += 2)
      if (pairs[i] === recipient) {
        if (pairs[i + 1] !== host) pairs[i + 1] = detach(host);
        return;
      }
    if (pairs.length < 2 * MAX_DEFERRED_RECIPIENTS) pairs.push(detach(recipient), detach(host));
  }

  end(_out: Out): void {
    this.messages.clear();
  }
}

/** The host kept for `recipient` in a message's recipient, host… list, or null. */
function lastHost(pairs: readonly string[], recipient: string | null): string | null {
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === recipient) return pairs[i + 1];
  return null;
}

/** The SMTP command Exim names before the reply that ends `rest`, or null. */
function commandBefore(rest: string, reply: string): SmtpCommand | null {
  const after = ERROR_AFTER.exec(rest.slice(0, rest.length - reply.length));
  return after ? smtpCommandIn(`after ${after[1].trim()}`) : null;
}

/** The error part of a `**`/`==` line: the remote reply when there is one, else Exim's own text. */
function errorText(rest: string): string | null {
  const reply = REPLY_IN_ERROR.exec(rest);
  if (reply) return reply[1];
  const colon = rest.indexOf(": ");
  return colon >= 0 ? rest.slice(colon + 2) : null;
}
