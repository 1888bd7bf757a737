/**
 * A local SMTP relay for `seeds send` tests: smtp-server (https://nodemailer.com/extras/smtp-server/)
 * on 127.0.0.1 that relays each accepted message into Dovecot's LMTP, like a sender's MTA handing mail
 * to a receiver. `stripHeader(rcpt)` imitates a receiver or forwarder that removes X-Deliverlens-Test.
 */
import type net from "node:net";
import { SMTPServer } from "smtp-server";
import { lmtpDeliver } from "./dovecot.ts";
import { listenLoopback } from "./loopback.ts";

export interface SmtpRelay {
  port: number;
  url: string;
  /** Every message as the relay received it (before any stripping), with its envelope. */
  received: { from: string; to: string[]; raw: Buffer }[];
  /** AUTH attempts: user names and whether the password matched (never the password). */
  logins: { user: string; ok: boolean }[];
  close(): Promise<void>;
}

export interface RelayOptions {
  lmtpPort: number;
  /** Require this login (AUTH PLAIN/LOGIN); without it the relay takes mail without authentication. */
  auth?: { user: string; pass: string };
  stripHeader?: (recipient: string) => boolean;
}

export async function startSmtpRelay(options: RelayOptions): Promise<SmtpRelay> {
  const received: SmtpRelay["received"] = [];
  const logins: SmtpRelay["logins"] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.auth?.user && auth.password === options.auth?.pass;
      logins.push({ user: auth.username ?? "", ok });
      if (!ok) return callback(new Error("535 5.7.8 authentication failed"));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        received.push({ from, to, raw });
        try {
          for (const rcpt of to) {
            const copy = options.stripHeader?.(rcpt)
              ? Buffer.from(raw.toString("latin1").replace(/^X-Deliverlens-Test:.*\r?\n/im, ""), "latin1")
              : raw;
            await lmtpDeliver(options.lmtpPort, copy, [rcpt], from || "bounce@example.test");
          }
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  const port = await listenLoopback(server.server as net.Server);
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
