/**
 * One .eml per campaign, as the sender's email tool would save it (`diagnose --messages DIR`): the
 * campaign id in `X-Campaign-ID` and in the file name, one-click unsubscribe headers, a DKIM signature
 * header, a text and an HTML part with the campaign's links.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Campaign, Program } from "./program.ts";
import { Rng } from "./rng.ts";

function eml(program: Program, c: Campaign, rng: Rng): string {
  const { brand } = program;
  const date = new Date(program.start + c.day * 86_400_000 + 14 * 3_600_000)
    .toUTCString()
    .replace("GMT", "+0000");
  const boundary = `=_${rng.hex(24)}`;
  const from = `${brand.from}@${brand.domain}`;
  const unsub = `https://www.${brand.domain}/unsubscribe?u=${rng.token(16)}`;
  const anchors = c.links.map((url, i) => {
    const label = c.flagged
      ? ["CLAIM YOUR DISCOUNT", "SHOP NOW", "Click here"][i % 3]
      : ["Read more", "Shop the collection", "Update your preferences"][i % 3];
    return `<p><a href="${url}">${label}</a></p>`;
  });
  const textLinks = c.links.map((url) => `${url}`).join("\n");
  const html = [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${c.subject}</title></head><body>`,
    `<img src="https://img.${brand.domain}/header.png" alt="${brand.name}" width="600">`,
    c.flagged
      ? "<h1>HUGE SAVINGS - ACT NOW!!!</h1><p>Limited time only. Don't miss out on our biggest deal of the year!</p>"
      : `<h1>${c.subject}</h1><p>Hello from the ${brand.name} team. Here is what we have been working on.</p>`,
    ...anchors,
    `<p style="font-size:12px">You receive this because you subscribed at ${brand.domain}. <a href="${unsub}">Unsubscribe</a>.</p>`,
    `<img src="https://click.${brand.domain}/wf/open?upn=${rng.token(40)}" width="1" height="1" alt="">`,
    "</body></html>",
  ].join("\n");
  const text = [
    c.flagged ? "HUGE SAVINGS - ACT NOW!!!" : `Hello from the ${brand.name} team.`,
    "",
    textLinks,
    "",
    `Unsubscribe: ${unsub}`,
  ].join("\n");
  return [
    `Return-Path: <bounces+${rng.int(1000, 9999)}@em.${brand.domain}>`,
    `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${brand.domain}; s=s1; t=${Math.floor(program.start / 1000)}; h=from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post; bh=${rng.token(43)}=; b=${rng.token(86)}`,
    `From: ${brand.name} <${from}>`,
    "To: subscriber@example.com",
    `Subject: ${c.subject}`,
    `Date: ${date}`,
    `Message-ID: <${rng.hex(16)}.${c.id}@${brand.domain}>`,
    `X-Campaign-ID: ${c.id}`,
    `List-Unsubscribe: <${unsub}>, <mailto:unsubscribe@${brand.domain}?subject=unsubscribe>`,
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
    "MIME-Version: 1.0",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    text,
    "",
    `--${boundary}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    html,
    "",
    `--${boundary}--`,
    "",
  ].join("\r\n");
}

/** Write one .eml per campaign that sent anything; returns the directory. */
export function writeMessages(program: Program, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(program.spec.seed * 17 + 3);
  for (const c of program.campaigns) writeFileSync(join(dir, `${c.id}.eml`), eml(program, c, rng));
  return dir;
}
