import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import {
  connectionPlan,
  HostLimiter,
  isLoopbackHost,
  MailboxError,
  parseImapUrl,
  readSecret,
  withMailbox,
} from "../../src/mailbox/index.ts";
import { type DovecotStack, dovecotSkip, startDovecot } from "../../testkit/dovecot.ts";
import { listenLoopback } from "../../testkit/loopback.ts";

describe("IMAP accounts: URLs, TLS plan, secrets", () => {
  test("imaps:// and imap:// URLs give host, port and TLS mode; anything else is refused in words", () => {
    assert.deepEqual(parseImapUrl("imaps://imap.mail.me.com"), {
      host: "imap.mail.me.com",
      port: 993,
      implicitTls: true,
    });
    assert.deepEqual(parseImapUrl("imap://127.0.0.1:1143"), {
      host: "127.0.0.1",
      port: 1143,
      implicitTls: false,
    });
    assert.deepEqual(parseImapUrl("imap://[::1]:2143"), { host: "::1", port: 2143, implicitTls: false });
    assert.throws(() => parseImapUrl("https://imap.gmail.com"), /unsupported scheme/);
    assert.throws(
      () => parseImapUrl("imaps://bob:hunter2@imap.gmail.com"),
      /must not carry a user or password/,
    );
    assert.throws(() => parseImapUrl("imap.gmail.com:993"), /unsupported scheme|not a URL/);
  });

  test("TLS by default: imap:// to a remote host requires STARTTLS; plaintext only on loopback or --insecure", () => {
    const remote = parseImapUrl("imap://imap.example.com:143");
    assert.equal(connectionPlan(remote, false).requireStartTls, true);
    assert.equal(connectionPlan(remote, false).plaintextAllowed, false);
    assert.equal(connectionPlan(remote, false).verifyCertificate, true);
    assert.equal(connectionPlan(remote, true).plaintextAllowed, true);
    assert.equal(connectionPlan(remote, true).verifyCertificate, false);
    const local = parseImapUrl("imap://127.0.0.1:1143");
    assert.equal(connectionPlan(local, false).plaintextAllowed, true);
    assert.equal(connectionPlan(parseImapUrl("imaps://imap.gmail.com"), false).implicitTls, true);
    for (const host of ["127.0.0.1", "127.8.9.1", "::1", "localhost", "[::1]"])
      assert.ok(isLoopbackHost(host), host);
    for (const host of ["10.0.0.1", "imap.gmail.com", "128.0.0.1", "localhost.example.com"])
      assert.ok(!isLoopbackHost(host), host);
  });

  test("a secret comes from the named environment variable; errors name the variable, never a value", () => {
    assert.equal(readSecret("SEED_PW", { SEED_PW: "s3cret" }), "s3cret");
    assert.throws(() => readSecret("SEED_PW", {}), /environment variable SEED_PW is not set/);
    assert.throws(() => readSecret("hunter2 !", {}), /is not an environment variable name/);
  });

  test("the host limiter never runs more than its cap per host, and other hosts are not held up", async () => {
    const limiter = new HostLimiter(2);
    let peak = 0;
    const task = (key: string) =>
      limiter.run(key, async () => {
        peak = Math.max(peak, limiter.running("a"));
        await new Promise((resolve) => setTimeout(resolve, 5));
      });
    await Promise.all([...Array.from({ length: 9 }, () => task("a")), task("b")]);
    assert.equal(peak, 2);
    assert.equal(limiter.running("a"), 0);
  });
});

const skip = dovecotSkip();
if (skip) process.stdout.write(`# ${skip}\n`);

describe("IMAP against a real Dovecot on loopback", { skip, timeout: 120_000 }, () => {
  let stack: DovecotStack;
  const env = { GOOD_PW: "correct-horse-7", BAD_PW: "wrong-battery-9" };
  before(async () => {
    stack = await startDovecot([{ name: "carol", password: env.GOOD_PW }]);
    await stack.deliver("From: a@sender.test\r\nSubject: one\r\nX-Test-Placement: junk\r\n\r\nhello\r\n", [
      "carol@seeds.test",
    ]);
  });
  after(async () => {
    await stack?.stop();
  });

  test("logs in, lists folders with their special use, searches and downloads read-only", async () => {
    const result = await withMailbox(
      { imapUrl: stack.imapUrl, username: "carol@seeds.test", secretEnv: "GOOD_PW" },
      { env },
      async (session) => {
        const folders = await session.folders();
        const junk = folders.find((folder) => folder.path === "Junk");
        const uids = await session.search("Junk", { header: { subject: "one" } });
        const message = await session.download("Junk", uids[0], 1 << 20);
        return { junk, uids, message };
      },
    );
    assert.equal(result.junk?.specialUse, "\\Junk");
    assert.equal(result.junk?.specialUseSource, "extension");
    assert.equal(result.uids.length, 1);
    assert.match(result.message?.raw.toString() ?? "", /Subject: one/);
    assert.equal(result.message?.truncated, false);
  });

  test("a wrong password is a login error in words, without the password", async () => {
    await assert.rejects(
      withMailbox({ imapUrl: stack.imapUrl, username: "carol", secretEnv: "BAD_PW" }, { env }, async () => 1),
      (error: Error) => {
        assert.ok(error instanceof MailboxError);
        assert.equal(error.kind, "login");
        assert.match(error.message, /^login failed: authentication rejected/);
        assert.ok(!error.message.includes(env.BAD_PW));
        return true;
      },
    );
  });

  test("a server that accepts and never greets fails after the greeting timeout", async () => {
    const sockets: net.Socket[] = [];
    const hang = net.createServer((socket) => sockets.push(socket));
    const port = await listenLoopback(hang);
    try {
      await assert.rejects(
        withMailbox(
          { imapUrl: `imap://127.0.0.1:${port}`, username: "carol", secretEnv: "GOOD_PW" },
          { env, timeouts: { greetingMs: 300 } },
          async () => 1,
        ),
        (error: Error) =>
          error instanceof MailboxError && /no IMAP greeting .* within 0\.3 s/.test(error.message),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      hang.close();
    }
  });

  test("a refused port and a missing variable are errors in words", async () => {
    await assert.rejects(
      withMailbox(
        { imapUrl: "imap://127.0.0.1:1", username: "x", secretEnv: "GOOD_PW" },
        { env },
        async () => 1,
      ),
      /connection refused by 127\.0\.0\.1:1/,
    );
    await assert.rejects(
      withMailbox({ imapUrl: stack.imapUrl, username: "x", secretEnv: "NOPE_PW" }, { env }, async () => 1),
      /environment variable NOPE_PW is not set/,
    );
  });
});
