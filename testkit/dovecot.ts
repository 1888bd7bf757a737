/**
 * A real Dovecot (IMAP + LMTP + Sieve) on 127.0.0.1 for tests, started from a generated config in a temp
 * dir, never the system's /etc/dovecot: Debian's dovecot-imapd, dovecot-lmtpd and dovecot-sieve 2.3.
 *
 * - Users live in a passwd-file with plaintext passwords (test accounts only); mail in Maildir.
 * - INBOX, `Junk` (RFC 6154 `\Junk`, https://www.rfc-editor.org/rfc/rfc6154) and `Bulk` (no flag: found by
 *   name only) are created for every user.
 * - A global Sieve script (https://doc.dovecot.org/2.3/configuration_manual/sieve/) files a message by its
 *   `X-Test-Placement` header: "junk" → Junk, "bulk" → Bulk, anything else → INBOX; so placement is
 *   deterministic. `X-Test-Placement: junk` is a simulated verdict, not a filter.
 * - Started as root (CI, this machine) the login processes run as `dovenull` and mail as `nobody`; started
 *   as any other user everything runs as that user (https://doc.dovecot.org/2.3/admin_manual/running_dovecot_as_non_root/).
 *
 * `dovecotSkip()` says why the stack cannot run (binaries missing) unless CI=true, where a missing Dovecot
 * is a failure: .ci/run installs it.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { killAtExit } from "./child-exit.ts";

const DOVECOT = process.env.DOVECOT_PATH ?? "/usr/sbin/dovecot";
const SIEVEC = process.env.SIEVEC_PATH ?? "/usr/bin/sievec";
const SIEVE_PLUGIN = "/usr/lib/dovecot/modules/lib90_sieve_plugin.so";
const LMTP = "/usr/lib/dovecot/lmtp";

/** A reason to skip the Dovecot tests, or false when they can run (under CI=true they must run). */
export function dovecotSkip(): string | false {
  const missing = [DOVECOT, SIEVEC, SIEVE_PLUGIN, LMTP, "/usr/lib/dovecot/imap"].filter(
    (p) => !existsSync(p),
  );
  if (missing.length === 0) return false;
  const reason = `Dovecot test stack not installed (missing ${missing.join(", ")}): apt-get install dovecot-imapd dovecot-lmtpd dovecot-sieve`;
  if (process.env.CI === "true") throw new Error(`CI=true but ${reason}`);
  return reason;
}

export interface DovecotUser {
  /** Local part; the login name (`name` or `name@any.domain`) and the LMTP recipient `name@domain`. */
  name: string;
  password: string;
}

export interface DovecotStack {
  host: "127.0.0.1";
  imapPort: number;
  lmtpPort: number;
  /** `imap://127.0.0.1:PORT` (plaintext: loopback only). */
  imapUrl: string;
  dir: string;
  /** Deliver one raw message to `recipients` (full addresses) through LMTP, as a receiving MTA would. */
  deliver(raw: string | Buffer, recipients: string[], from?: string): Promise<void>;
  /** Dovecot's own log so far (for asserting no secret was logged). */
  log(): string;
  stop(): Promise<void>;
}

const SIEVE_SCRIPT = `require ["fileinto"];
if header :contains "X-Test-Placement" "junk" { fileinto "Junk"; stop; }
if header :contains "X-Test-Placement" "bulk" { fileinto "Bulk"; stop; }
`;

/** Start a private Dovecot with these users. Always `stop()` it (tests: in an `after` hook). */
export async function startDovecot(users: DovecotUser[]): Promise<DovecotStack> {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-dovecot-"));
  chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  const me = userInfo();
  const loginUser = root ? "dovenull" : me.username;
  const internalUser = root ? "dovecot" : me.username;
  const mailUid = root ? 65534 : me.uid;
  const mailGid = root ? 65534 : me.gid;
  for (const sub of ["run", "state", "mail", "sieve"]) mkdirSync(join(dir, sub), { mode: 0o755 });
  if (root) chownSync(join(dir, "mail"), mailUid, mailGid);
  writeFileSync(join(dir, "passwd"), users.map((u) => `${u.name}:{PLAIN}${u.password}::::::\n`).join(""));
  chmodSync(join(dir, "passwd"), 0o644);
  const sieve = join(dir, "sieve", "default.sieve");
  writeFileSync(sieve, SIEVE_SCRIPT);
  execFileSync(SIEVEC, [sieve], { stdio: "pipe" });

  for (let attempt = 0; ; attempt++) {
    const [imapPort, lmtpPort] = dovecotPorts();
    // Its greeting names this start: a port that answers with another server's greeting is not taken as up.
    const greeting = `deliverlens-test-${randomBytes(8).toString("hex")}`;
    const config = join(dir, "dovecot.conf");
    writeFileSync(
      config,
      configText({ dir, imapPort, lmtpPort, loginUser, internalUser, mailUid, mailGid, sieve, greeting }),
    );
    const child = spawn(DOVECOT, ["-F", "-c", config], { stdio: ["ignore", "pipe", "pipe"] });
    killAtExit(child);
    let output = "";
    child.once("error", (error) => {
      output += `${error}`;
    });
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    const up = await waitForGreetings(child, [imapPort, lmtpPort], greeting);
    if (!up) {
      await stopChild(child);
      const log = readLog(dir);
      if (attempt < 4 && /Address already in use/.test(log + output)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`dovecot did not start: ${output}\n${log}`);
    }
    const imapUrl = `imap://127.0.0.1:${imapPort}`;
    return {
      host: "127.0.0.1",
      imapPort,
      lmtpPort,
      imapUrl,
      dir,
      deliver: (raw, recipients, from = "sender@example.test") =>
        lmtpDeliver(lmtpPort, raw, recipients, from),
      log: () => readLog(dir),
      async stop() {
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

interface ConfigInput {
  dir: string;
  imapPort: number;
  lmtpPort: number;
  loginUser: string;
  internalUser: string;
  mailUid: number;
  mailGid: number;
  sieve: string;
  greeting: string;
}

function configText(c: ConfigInput): string {
  return `# generated by testkit/dovecot.ts
base_dir = ${c.dir}/run
state_dir = ${c.dir}/state
log_path = ${c.dir}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = ${c.loginUser}
default_internal_user = ${c.internalUser}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:${c.dir}/mail/%n
mail_plugins =
login_trusted_networks =
auth_failure_delay = 0
login_greeting = ${c.greeting}
mail_max_userip_connections = 200
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n ${c.dir}/passwd
}
userdb {
  driver = static
  args = uid=${c.mailUid} gid=${c.mailGid} home=${c.dir}/mail/%n allow_all_users=yes
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Bulk {
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${c.imapPort}
  }
  inet_listener imaps {
    port = 0
  }
  process_min_avail = 1
  service_count = 0
  client_limit = 400
}
service imap {
  process_limit = 400
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${c.lmtpPort}
  }
  unix_listener lmtp {
    mode = 0600
  }
}
protocol lmtp {
  mail_plugins = sieve
  postmaster_address = postmaster@example.test
}
plugin {
  sieve_default = ${c.sieve}
  sieve = ${c.dir}/sieve/%n.sieve
}
`;
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, "dovecot.log"), "utf8");
  } catch {
    return "";
  }
}

/**
 * Two ports for a Dovecot, which must be told its numbers (no port 0): at random below the kernel's ephemeral
 * range, where no other test's port-0 listener can be (a number found free, closed and handed to Dovecot could
 * be taken meanwhile). Another Dovecot on the same number fails this start, which is retried.
 */
function dovecotPorts(): [number, number] {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(
      readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0],
    );
  } catch {
    // not Linux: its default range
  }
  const low = 10_000;
  const span = Math.max(2, ephemeralLow - low);
  const imap = low + randomInt(span);
  let lmtp = low + randomInt(span - 1);
  if (lmtp >= imap) lmtp++;
  return [imap, lmtp];
}

/** Until both ports greet with this start's `greeting` (30 s at most); false once Dovecot has exited. */
async function waitForGreetings(child: ChildProcess, ports: number[], greeting: string): Promise<boolean> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    const greeted = await Promise.all(ports.map((port) => firstLine(port)));
    if (greeted.every((line) => line?.includes(greeting))) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** The first line a server on `port` sends, or null (refused, closed, or nothing within 2 s). */
function firstLine(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    const done = (line: string | null) => {
      socket.destroy();
      resolve(line);
    };
    socket.setEncoding("utf8");
    socket.setTimeout(2000, () => done(null));
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("\n")) done(text.slice(0, text.indexOf("\n")));
    });
    socket.once("error", () => done(null));
    socket.once("close", () => done(null));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** A minimal LMTP client (RFC 2033): LHLO, MAIL, RCPT…, DATA with dot-stuffing, one reply per recipient. */
export async function lmtpDeliver(
  port: number,
  raw: string | Buffer,
  recipients: string[],
  from: string,
): Promise<void> {
  const socket = net.connect(port, "127.0.0.1");
  socket.setTimeout(20_000);
  let buffer = "";
  const waiters: ((line: string) => void)[] = [];
  const lines: string[] = [];
  socket.setEncoding("utf8");
  const failed = new Promise<never>((_, reject) => {
    socket.once("error", reject);
    socket.once("timeout", () => reject(new Error("LMTP timeout")));
  });
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    let index = buffer.indexOf("\r\n");
    while (index >= 0) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
      index = buffer.indexOf("\r\n");
    }
  });
  const next = (): Promise<string> => {
    const line = lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return Promise.race([new Promise<string>((resolve) => waiters.push(resolve)), failed]);
  };
  /** A whole (multi-line) reply; throws unless its code starts with `expect`. */
  const reply = async (expect: string): Promise<void> => {
    let line = await next();
    while (/^\d{3}-/.test(line)) line = await next();
    if (!line.startsWith(expect)) throw new Error(`LMTP: expected ${expect}xx, got ${line}`);
  };
  try {
    await reply("2");
    socket.write("LHLO localhost\r\n");
    await reply("2");
    socket.write(`MAIL FROM:<${from}>\r\n`);
    await reply("2");
    for (const rcpt of recipients) {
      socket.write(`RCPT TO:<${rcpt}>\r\n`);
      await reply("2");
    }
    socket.write("DATA\r\n");
    await reply("3");
    const text = (typeof raw === "string" ? raw : raw.toString("latin1")).replace(/\r?\n/g, "\r\n");
    const stuffed = text.replace(/^\./gm, "..");
    socket.write(Buffer.from(`${stuffed}${stuffed.endsWith("\r\n") ? "" : "\r\n"}.\r\n`, "latin1"));
    for (const _ of recipients) await reply("2");
    socket.write("QUIT\r\n");
  } finally {
    socket.end();
  }
}
