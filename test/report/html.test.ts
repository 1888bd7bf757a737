import assert from "node:assert/strict";
import { test } from "node:test";
import { redactAddresses } from "../../src/diagnose/report.ts";
import { renderHtml } from "../../src/report/html.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { hostileReport } from "../../testkit/scenarios-report.ts";

test("the HTML report escapes every mail-borne string and loads nothing external", () => {
  const html = renderHtml(hostileReport());
  assert.ok(!html.includes("<script"), "no script element");
  assert.ok(!/<img/i.test(html), "no img element from mail text");
  assert.ok(!/<[a-z][^>]*\s(?:src|href)\s*=/i.test(html), "no element loads anything");
  assert.ok(!html.includes("\u001b"), "no raw escape sequence");
  assert.match(html, /&#60;script&#62;alert/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  for (const id of ["chart-daily", "chart-tiers", "chart-campaigns"])
    assert.match(html, new RegExp(`<svg id="${id}"`));
  assert.match(html, /class="bar spike"/);
  assert.match(html, /class="episode"/);
  assert.match(html, /class="bar flagged"/);
});

test("the Markdown report neutralises links, emphasis, tables and HTML from mail", () => {
  const md = renderMarkdown(hostileReport());
  const [prose, fenced] = md.split("```text\n");
  assert.ok(!prose.includes("<script"), "outside the code block HTML is escaped");
  assert.ok(fenced.split("\n```")[0].includes("<script"), "inside the fenced note text is literal");
  assert.ok(!prose.includes("[link](https://evil.example)"));
  assert.match(prose, /\\\[link\\\]\\\(https:\/\/evil\.example\\\)/);
  assert.match(prose, /\\\*\\\*bold\\\*\\\*/);
  assert.match(md, /```text\nTo: icloudadmin@apple\.com/);
});

test("redaction hides local parts but keeps the provider domain and Apple's escalation address", () => {
  assert.equal(
    redactAddresses("to jane.doe+x@icloud.com and bob@me.com"),
    "to [redacted]@icloud.com and [redacted]@me.com",
  );
  assert.equal(redactAddresses("write to icloudadmin@apple.com"), "write to icloudadmin@apple.com");
});
