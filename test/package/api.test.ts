import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { classifyEmail } from "../../src/api/bounce.ts";

const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
const apiDir = new URL("../../src/api/", import.meta.url);

test("every subpath entry is a src/api module, and each exports functions only (types vanish at run time)", async () => {
  const modules = readdirSync(apiDir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.slice(0, -3))
    .sort();
  const subpaths = Object.keys(manifest.exports)
    .filter((key) => key !== "." && key !== "./package.json")
    .map((key) => key.slice(2))
    .sort();
  assert.deepEqual(subpaths, modules);
  for (const name of modules) {
    assert.equal(manifest.exports[`./${name}`].default, `./dist/api/${name}.js`);
    assert.equal(manifest.exports[`./${name}`].types, `./dist/api/${name}.d.ts`);
    const entry = await import(new URL(`${name}.ts`, apiDir).href);
    assert.ok(Object.keys(entry).length > 0, name);
    for (const [key, value] of Object.entries(entry)) {
      assert.equal(typeof value, "function", `deliverlens/${name} exports ${key}, a ${typeof value}`);
    }
  }
});

test("classifyEmail(string) reads the text as the UTF-8 it is: a Japanese diagnostic is not mojibake", () => {
  const diagnostic = "550 5.1.1 宛先のメールアドレスは存在しません (user unknown)";
  const message = [
    "From: MAILER-DAEMON@mx.example.jp",
    "To: sender@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
    "MIME-Version: 1.0",
    "",
    "--b",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "配信できませんでした。",
    "",
    "--b",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.jp",
    "",
    "Final-Recipient: rfc822; taro@example.jp",
    "Action: failed",
    "Status: 5.1.1",
    `Diagnostic-Code: smtp; ${diagnostic}`,
    "",
    "--b--",
    "",
  ].join("\r\n");
  const fromString = classifyEmail(message);
  const fromBytes = classifyEmail(Buffer.from(message, "utf8"));
  assert.equal(fromString.records.length, 1);
  assert.deepEqual(fromString, fromBytes);
  assert.ok(
    fromString.records[0].diagnostic?.includes("宛先のメールアドレス"),
    fromString.records[0].diagnostic ?? "",
  );
});
