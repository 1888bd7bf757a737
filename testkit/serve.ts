import { execFileSync } from "node:child_process";
import { createHmac, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Test-side signers for every webhook scheme `serve` verifies: real keys, generated per test run. */

export interface SendgridSigner {
  /** The verification key as SendGrid shows it (base64 DER SPKI). */
  publicKey: string;
  headers(body: string | Buffer, timestamp?: number): Record<string, string>;
}

export function sendgridSigner(): SendgridSigner {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    publicKey: publicKey.export({ format: "der", type: "spki" }).toString("base64"),
    headers(body, timestamp = Math.floor(Date.now() / 1000)) {
      const data = Buffer.concat([Buffer.from(String(timestamp)), Buffer.from(body)]);
      return {
        "content-type": "application/json",
        "x-twilio-email-event-webhook-timestamp": String(timestamp),
        "x-twilio-email-event-webhook-signature": sign("sha256", data, privateKey).toString("base64"),
      };
    },
  };
}

export function mailgunBody(key: string, event: object, timestamp = Math.floor(Date.now() / 1000)): string {
  const token = randomBytes(25).toString("hex");
  const signature = createHmac("sha256", key).update(`${timestamp}${token}`).digest("hex");
  return JSON.stringify({
    signature: { timestamp: String(timestamp), token, signature },
    "event-data": event,
  });
}

export interface SnsSigner {
  certDir: string;
  certUrl: string;
  /** The test CA's certificate (PEM): what `DELIVERLENS_SNS_CA_FILE` points the server at. */
  caFile: string;
  topic: string;
  /** A signed SNS message of `type` (Notification: `message` is the SES event, JSON-encoded). */
  message(type: string, fields: Record<string, string>, version?: "1" | "2"): Record<string, string>;
}

const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });

/**
 * A test PKI made with openssl in `dir`: a root CA (`caFile`), an intermediate CA, and an RSA signing
 * certificate issued by the intermediate, saved (followed by the intermediate) as SNS names its signing
 * certificates. `selfSigned`: the signing certificate signs itself (chains to nothing).
 */
export function snsSigner(
  dir: string,
  topic = "arn:aws:sns:us-east-1:123456789012:ses-events",
  options: { name?: string; selfSigned?: boolean } = {},
): SnsSigner {
  mkdirSync(dir, { recursive: true });
  const name = options.name ?? "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";
  const at = (file: string) => join(dir, file);
  const ca = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"];
  writeFileSync(at("ca.ext"), `${ca.join("\n")}\n`);
  // The "CA Issuers" address a real SNS certificate carries (the intermediate is served there).
  const aia = "authorityInfoAccess=caIssuers;URI:http://crt.test.amazontrust.com/intermediate.cer";
  writeFileSync(
    at("leaf.ext"),
    `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n${aia}\n`,
  );
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(
    ["req", "-x509", ...ec, "-keyout", at("root.key"), "-out", at("root.pem"), "-days", "2"].concat([
      "-subj",
      "/CN=deliverlens test root CA",
      ...ca.flatMap((ext) => ["-addext", ext]),
    ]),
  );
  const issue = (subject: string, key: string[], out: string, issuer: string, ext: string) => {
    openssl(["req", "-new", ...key, "-keyout", at(`${out}.key`), "-out", at(`${out}.csr`), "-subj", subject]);
    openssl(
      [
        "x509",
        "-req",
        "-in",
        at(`${out}.csr`),
        "-CA",
        at(`${issuer}.pem`),
        "-CAkey",
        at(`${issuer}.key`),
      ].concat([
        "-set_serial",
        String(Date.now()),
        "-days",
        "2",
        "-extfile",
        at(ext),
        "-out",
        at(`${out}.pem`),
      ]),
    );
  };
  issue("/CN=deliverlens test intermediate CA", ec, "intermediate", "root", "ca.ext");
  const rsa = ["-newkey", "rsa:2048", "-nodes"];
  if (options.selfSigned)
    openssl(
      ["req", "-x509", ...rsa, "-keyout", at("leaf.key"), "-out", at("leaf.pem"), "-days", "2"].concat([
        "-subj",
        "/CN=sns.amazonaws.com",
      ]),
    );
  else issue("/CN=sns.amazonaws.com", rsa, "leaf", "intermediate", "leaf.ext");
  const chain = options.selfSigned ? "" : readFileSync(at("intermediate.pem"), "utf8");
  writeFileSync(at(name), readFileSync(at("leaf.pem"), "utf8") + chain);
  const key: KeyObject | string = readFileSync(at("leaf.key"), "utf8");
  return {
    certDir: dir,
    certUrl: `https://sns.us-east-1.amazonaws.com/${name}`,
    caFile: at("root.pem"),
    topic,
    message(type, fields, version = "1") {
      const message: Record<string, string> = {
        Type: type,
        MessageId: fields.MessageId ?? randomBytes(16).toString("hex"),
        TopicArn: topic,
        Timestamp: new Date().toISOString(),
        SignatureVersion: version,
        SigningCertURL: `https://sns.us-east-1.amazonaws.com/${name}`,
        ...fields,
      };
      const keys =
        type === "Notification"
          ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
          : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
      const text = keys
        .filter((k) => message[k] !== undefined)
        .map((k) => `${k}\n${message[k]}\n`)
        .join("");
      message.Signature = sign(version === "1" ? "sha1" : "sha256", Buffer.from(text), key).toString(
        "base64",
      );
      return message;
    },
  };
}

export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** `n` SendGrid events (a delivery or an Apple CS01 bounce), ids unique per `seed`. */
export function sendgridEvents(n: number, seed: string, startSeconds = 1_780_000_000): object[] {
  const events: object[] = [];
  for (let i = 0; i < n; i++) {
    const apple = i % 3 === 0;
    const bounce = i % 10 === 0;
    events.push({
      email: `user${i}-${seed}@${apple ? "icloud.com" : "gmail.com"}`,
      timestamp: startSeconds + i,
      event: bounce ? "bounce" : "delivered",
      sg_event_id: `${seed}-${i}`,
      sg_message_id: `msg-${seed}-${i}`,
      "smtp-id": `<msg-${seed}-${i}@example.com>`,
      category: ["spring-sale"],
      ip: "192.0.2.10",
      ...(bounce
        ? {
            reason: "550 5.7.1 [CS01] Message rejected due to local policy",
            status: "5.7.1",
            type: "blocked",
          }
        : { response: "250 2.0.0 OK" }),
    });
  }
  return events;
}

export interface ServeProcess {
  child: import("node:child_process").ChildProcess;
  url: string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends; rejects if it could not start. */
  exited: Promise<number | string>;
  /** SIGKILLs it unless it has ended, and waits for its end (for a `finally`: a failed test leaves no server). */
  stop(): Promise<void>;
}

/**
 * `deliverlens serve ARGS` as a child process (its own pid: `kill -9` hits the server itself). Killed when the
 * test process exits, if a test has not stopped it.
 */
export async function spawnServe(args: string[], env: Record<string, string>): Promise<ServeProcess> {
  const { spawn } = await import("node:child_process");
  const { CLI } = await import("./cli-spawn.ts");
  const { exited: ended, killAtExit } = await import("./child-exit.ts");
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], {
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  killAtExit(child);
  let stderr = "";
  const exited = ended(child).then(({ code, signal }) => code ?? signal ?? "unknown");
  child.stderr?.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]);
    });
    exited.then(
      (code) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)),
      (error: Error) => reject(new Error(`serve did not start: ${error.message}`)),
    );
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited.catch(() => undefined);
  };
  return { child, url, stderr: () => stderr, exited, stop };
}

export const CS01_REPLY = "550 5.7.1 [CS01] Message rejected due to local policy";

/** SendGrid events at Apple in the hour from `startSeconds`: `bounces` CS01 bounces, then `delivered` deliveries. */
export function appleHour(
  startSeconds: number,
  delivered: number,
  bounces: number,
  seed: string,
  campaign = "spring-sale",
  reply = CS01_REPLY,
): object[] {
  return Array.from({ length: delivered + bounces }, (_, i) => ({
    email: `r${i}-${seed}@icloud.com`,
    timestamp: startSeconds + i,
    sg_event_id: `${seed}-${i}`,
    sg_message_id: `m-${seed}-${i}`,
    category: [campaign],
    ...(i < bounces
      ? { event: "bounce", type: "blocked", status: "5.7.1", reason: reply }
      : { event: "delivered", response: "250 ok" }),
  }));
}

/**
 * An in-process `serve` on 127.0.0.1 (any free port) with only the SendGrid endpoint configured, its
 * signer, and `post(events)`: a signed POST that resolves with the HTTP status.
 */
export async function sendgridService(
  db: string,
  extra: Partial<import("../src/serve/service.ts").ServeConfig> = {},
) {
  const { startService } = await import("../src/serve/service.ts");
  const { sendgridKey } = await import("../src/serve/signatures.ts");
  const signer = sendgridSigner();
  const service = await startService({
    db,
    host: "127.0.0.1",
    port: 0,
    token: null,
    snsCertDir: null,
    secrets: { sendgrid: sendgridKey(signer.publicKey), mailgun: null, snsTopics: null, basicAuth: null },
    ...extra,
  });
  const post = async (events: object[]): Promise<number> => {
    const body = JSON.stringify(events);
    const response = await fetch(`${service.url}/webhooks/sendgrid`, {
      method: "POST",
      body,
      headers: signer.headers(body),
    });
    await response.arrayBuffer();
    return response.status;
  };
  return { service, signer, post };
}
