/**
 * One .eml per marketing campaign, the way a sender saves a sent newsletter (what
 * `diagnose --messages DIR` reads): RFC 5322 headers with `X-Campaign-ID`, List-Unsubscribe one-click,
 * DKIM-Signature, multipart/alternative text + HTML carrying the campaign's links.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dayString, type Program } from "./model.ts";
import { hex } from "./writers/common.ts";

export function writeCampaignMessages(program: Program, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const { domain, name, from } = program.brand;
  for (const c of program.campaigns) {
    if (c.stream !== "marketing" || c.messages === 0) continue;
    const boundary = `----=_Part_${hex(`b:${c.id}`, 16)}`;
    const date = new Date(c.start).toUTCString().replace("GMT", "+0000");
    const html = [
      '<!doctype html><html><body style="font-family:Helvetica,Arial,sans-serif">',
      `<h1>${c.subject}</h1>`,
      `<p>Hello from ${name}! Here is what is new this week.</p>`,
      ...c.links.map(
        (url, i) =>
          `<p><a href="${url}">${i === 0 ? "Shop now" : i === c.links.length - 1 ? "Manage preferences" : "Read more"}</a></p>`,
      ),
      `<p style="font-size:11px">You receive this because you subscribed at ${domain}. <a href="https://www.${domain}/unsubscribe?c=${c.id}">Unsubscribe</a></p>`,
      `<img src="https://www.${domain}/o/${hex(c.id, 12)}.gif" width="1" height="1" alt="">`,
      "</body></html>",
    ].join("\r\n");
    const text = [
      `${c.subject}`,
      "",
      `Hello from ${name}!`,
      ...c.links.map((url) => `${url}`),
      "",
      `Unsubscribe: https://www.${domain}/unsubscribe?c=${c.id}`,
    ].join("\r\n");
    const eml = [
      `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${domain}; s=s1; h=from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post; bh=${hex(`bh:${c.id}`, 43)}=; b=${hex(`b:${c.id}`, 80)}`,
      `From: ${name} <${from}>`,
      "To: subscriber@example.com",
      `Subject: ${c.subject}`,
      `Date: ${date}`,
      `Message-ID: <${dayString(program.start, c.day).replaceAll("-", "")}.${hex(c.id, 12)}@mail.${domain}>`,
      `X-Campaign-ID: ${c.id}`,
      `List-Unsubscribe: <https://www.${domain}/unsubscribe/one-click?c=${c.id}>, <mailto:unsubscribe@${domain}?subject=unsubscribe>`,
      "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
      "MIME-Version: 1.0",
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      "",
      `--${boundary}`,
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      text,
      `--${boundary}`,
      "Content-Type: text/html; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      html,
      `--${boundary}--`,
      "",
    ].join("\r\n");
    const file = join(dir, `${c.id}.eml`);
    writeFileSync(file, eml);
    files.push(file);
  }
  return files;
}
