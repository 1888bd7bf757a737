import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import { createServer as createNetServer, type Server } from "node:net";
import { after, before, test } from "node:test";
import { createTransport } from "nodemailer";
import { SMTPServer } from "smtp-server";
import { type AlertInput, Alerts, emailSink, logSink, webhookSink } from "../../src/serve/alerts.ts";
import { closeServer, listenLoopback, trackConnections } from "../../testkit/loopback.ts";

const received: { body: Record<string, unknown> }[] = [];
let failuresLeft = 0;
const http = createServer((request: IncomingMessage, response) => {
  let text = "";
  request.setEncoding("utf8");
  request.on("data", (chunk) => {
    text += chunk;
  });
  request.on("end", () => {
    if (failuresLeft > 0) {
      failuresLeft--;
      response.writeHead(500).end();
      return;
    }
    received.push({ body: JSON.parse(text) });
    response.writeHead(200).end("ok");
  });
});

const mails: string[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onData(stream, _session, callback) {
    let text = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      text += chunk;
    });
    stream.on("end", () => {
      mails.push(text);
      callback();
    });
  },
});

// An endpoint that never takes a request: each connection is reset at once (not a fixed port nobody should hold).
const unreachable: Server = createNetServer((socket) => socket.resetAndDestroy());
const unreachableConnections = trackConnections(unreachable);

let webhookUrl = "";
let unreachableUrl = "";
let smtpPort = 0;

before(async () => {
  webhookUrl = `http://127.0.0.1:${await listenLoopback(http)}/hook`;
  unreachableUrl = `http://127.0.0.1:${await listenLoopback(unreachable)}/unreachable`;
  smtpPort = await listenLoopback(smtp.server);
});

after(async () => {
  await closeServer(http);
  await closeServer(unreachable, unreachableConnections);
  await new Promise<void>((resolve) => smtp.close(resolve));
});

const episode: AlertInput = {
  kind: "policy-episode",
  key: "policy-episode:apple",
  provider: "apple",
  severity: "critical",
  title: "apple: policy bounces at 12.00 % this hour (baseline 0.10 %)",
  numbers: { policyBounces: 24, sent: 200, rate: 0.12 },
  topCause: { id: "volume-spike", title: "A volume spike", confidence: 0.8, actions: ["slow down"] },
};

test("an alert reaches a local HTTP receiver (Slack-compatible text) and a local SMTP server, once per cooldown", async () => {
  let clock = Date.parse("2026-06-01T10:00:00Z");
  const log: string[] = [];
  const transport = createTransport({ host: "127.0.0.1", port: smtpPort, secure: false, ignoreTLS: true });
  const alerts = new Alerts({
    sinks: [
      logSink((line) => log.push(line)),
      webhookSink(webhookUrl),
      emailSink(transport, "dl@example.com", "ops@example.com"),
    ],
    cooldownMs: 60_000,
    dashboard: () => "http://127.0.0.1:8025",
    now: () => clock,
    retryDelaysMs: [20, 20, 20],
  });
  const first = alerts.raise(episode);
  assert.ok(first);
  assert.equal(alerts.raise(episode), null, "the same key within the cooldown is not sent again");
  clock += 61_000;
  const again = alerts.raise(episode);
  assert.ok(again && again.id !== first.id, "after the cooldown it is raised again, with a new id");
  await alerts.settle();
  assert.equal(received.length, 2);
  const body = received[0].body as {
    text: string;
    alert: {
      id: string;
      severity: string;
      provider: string;
      link: string;
      numbers: object;
      topCause: object;
    };
  };
  assert.match(body.text, /\[critical\] apple: policy bounces .*likely cause: A volume spike/);
  assert.equal(body.alert.id, first.id);
  assert.equal(body.alert.provider, "apple");
  assert.equal(body.alert.link, "http://127.0.0.1:8025/#provider-apple");
  assert.deepEqual(body.alert.numbers, episode.numbers);
  assert.equal(mails.length, 2);
  assert.match(mails[0], /Subject: deliverlens: apple: policy bounces/);
  assert.match(mails[0], new RegExp(first.id));
  assert.equal(log.length, 2);
  assert.deepEqual(
    {
      raised: alerts.counters.raised,
      suppressed: alerts.counters.suppressed,
      delivered: alerts.counters.delivered,
    },
    { raised: 2, suppressed: 1, delivered: 6 },
  );
});

test("an undeliverable alert is retried with backoff; raising never waits for delivery", async () => {
  received.length = 0;
  failuresLeft = 2;
  const alerts = new Alerts({
    sinks: [webhookSink(webhookUrl), webhookSink(unreachableUrl)],
    cooldownMs: 60_000,
    dashboard: () => "http://127.0.0.1:8025",
    retryDelaysMs: [20, 20, 20],
  });
  try {
    const alert = alerts.raise({ ...episode, key: "deferral-storm:yahoo", provider: "yahoo" });
    assert.ok(alert, "raise returns at once");
    for (let i = 0; i < 400 && alerts.counters.delivered + alerts.counters.abandoned < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(received.length, 1, "delivered on the third attempt");
    assert.equal(alerts.counters.delivered, 1);
    assert.equal(alerts.counters.abandoned, 1, "the unreachable sink gives up after its retries");
    assert.ok(alerts.counters.failedAttempts >= 2 + 4);
  } finally {
    alerts.stop();
  }
});
