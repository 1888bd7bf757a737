import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { classifyReply } from "../../src/bounce/classify.ts";
import { detectProvider, hostName } from "../../src/bounce/provider.ts";
import { hostKeyOf, hostKeySql, KEYED_HOST_NAMES, plainRemoteMta } from "../../src/bounce/rules/host-key.ts";
import { hostScope } from "../../src/bounce/rules/scope.ts";
import { Store } from "../../src/store/index.ts";

/** hostKeySql over remote MTAs, in order. */
async function keysInSql(store: Store, remoteMtas: readonly (string | null)[]): Promise<string[]> {
  const values = remoteMtas
    .map((mta, i) => `(${i}, ${mta === null ? "NULL" : `'${mta.replaceAll("'", "''")}'`})`)
    .join(", ");
  const rows = await store.all<{ key: string }>(
    `SELECT ${hostKeySql("m")} AS key FROM (VALUES ${values}) v(i, m) ORDER BY i`,
  );
  return rows.map((row) => row.key);
}

/** Written forms of a host as remote MTAs: Postfix's relay, a DSN's Remote-MTA, case, a root dot, a port. */
function writtenForms(host: string): string[] {
  return [
    host,
    host.toUpperCase(),
    `${host}.`,
    `${host}[192.0.2.7]:25`,
    `${host}.[192.0.2.7]`,
    `dns; ${host}`,
    `DNS;${host} (192.0.2.7)`,
    `${host}:25`,
    `${host} 192.0.2.7`,
    `${host}\t`,
  ];
}

const HOSTS = [
  ...KEYED_HOST_NAMES.flatMap((name) => [
    name,
    `mx1.${name}`,
    `a-b.c_d.${name}`,
    `x${name}`,
    name.slice(name.indexOf(".") + 1),
    `${name}.example.org`,
  ]),
  "mx.example.org",
  "alt4.aspmx.l.google.com",
  "tenant-com.mail.protection.outlook.com",
  "eu-smtp-inbound-1.mimecast.com",
  "mx.docomo.ne.jp",
  "localhost",
  "none",
  "192.0.2.1",
  "1.2",
];

test("hostKeyOf of a host that ends with no keyed name is the tables' answer (the walk it skips)", () => {
  // A host of no table's name first (its key is kept for every such host), then the tables' names and kin.
  const mtas = ["relay.example.net[192.0.2.9]:25", ...new Set(HOSTS.flatMap(writtenForms))];
  for (const mta of mtas) {
    const host = hostName(mta);
    const scope = host === null ? "" : hostScope(host);
    const walked = detectProvider({ remoteMta: mta }) + (scope === "" ? "" : `|${scope}`);
    assert.equal(hostKeyOf(mta), walked, JSON.stringify(mta));
  }
});

test("hostKeySql gives hostKeyOf's key for every plain remote MTA: the tables' names, their subdomains and parents, bare IPs", async () => {
  const mtas = [...new Set(HOSTS.flatMap(writtenForms))];
  mtas.push("[192.0.2.1]", "[192.0.2.1]:25", "dns;", "dns; [192.0.2.1]", "(x)", "dns");
  assert.deepEqual(
    mtas.filter((mta) => !plainRemoteMta(mta)),
    [],
  );
  const store = await Store.open(":memory:");
  try {
    const keys = await keysInSql(store, mtas);
    for (const [i, mta] of mtas.entries()) assert.equal(keys[i], hostKeyOf(mta), JSON.stringify(mta));
    const distinct = new Set(keys);
    assert.ok(
      distinct.has("google|host-google") && distinct.has("microsoft|host-microsoft"),
      [...distinct].join(),
    );
    assert.ok(distinct.has("other|host-mimecast") && distinct.has("other") && distinct.has("unknown"));
    assert.ok(
      distinct.size > 20 && distinct.size < mtas.length / 10,
      `${distinct.size} keys of ${mtas.length}`,
    );
    assert.deepEqual(await keysInSql(store, [null, ""]), ["", ""]);
  } finally {
    await store.close();
  }
});

test("any other remote MTA keeps its own text in the key, so it shares a key only with itself", async () => {
  const odd = [
    "  dns; mx.gmail.com",
    "dns;\tmx.gmail.com",
    "mx..gmail.com",
    ".",
    "mx.gmaİl.com",
    "mx.gmail.com\u00a0x",
    "private/smtp",
    "mx.gmail.com/x",
    "ＭＸ.gmail.com",
    "mx.gmail.com\nx",
    "dns\t;mx.gmail.com",
    "dns \u00a0;mx.gmail.com",
    "DNS ; mx.gmail.com",
  ];
  assert.ok(odd.every((mta) => !plainRemoteMta(mta)));
  const store = await Store.open(":memory:");
  try {
    assert.deepEqual(
      await keysInSql(store, odd),
      odd.map((mta) => `=${mta}`),
    );
  } finally {
    await store.close();
  }
});

test("remote MTAs of one SQL key are read alike by hostKeyOf (generated from the tables' names and odd pieces)", async () => {
  const piece = fc.constantFrom(
    ...KEYED_HOST_NAMES,
    "mx",
    "x",
    "mx1",
    "example.org",
    ".",
    "-",
    "_",
    "[192.0.2.1]",
    ":25",
    " ",
    "\t",
    "dns;",
    "DNS ; ",
    "dns; ",
    "(",
    "İ",
    "\u00a0",
    "0",
    "1.2",
    "A",
  );
  const mtas = fc.sample(
    fc.array(piece, { minLength: 1, maxLength: 6 }).map((pieces) => pieces.join("")),
    { numRuns: 3000, seed: 20261206 },
  );
  const store = await Store.open(":memory:");
  try {
    const keys = await keysInSql(store, mtas);
    const readAs = new Map<string, string>();
    let plains = 0;
    mtas.forEach((mta, i) => {
      if (plainRemoteMta(mta)) {
        plains++;
        assert.equal(keys[i], hostKeyOf(mta), JSON.stringify(mta));
      }
      const seen = readAs.get(keys[i]);
      if (seen === undefined) readAs.set(keys[i], hostKeyOf(mta));
      else assert.equal(hostKeyOf(mta), seen, `${JSON.stringify(mta)} under ${keys[i]}`);
    });
    assert.ok(plains > 300 && plains < mtas.length, `${plains} plain of ${mtas.length}`);
  } finally {
    await store.close();
  }
});

test("replies from remote MTAs of one key are classified alike (the key's premise, on host-scoped rules)", () => {
  const replies = [
    "550 5.7.1 [IPTS04] Messages from 192.0.2.1 weren't sent. Please contact your Internet service provider.",
    "550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550",
    "550 5.1.1 The email account that you tried to reach does not exist.",
    "554 5.7.1 Rejected: Spam",
  ];
  for (const [a, b] of [
    ["mx1.mail.protection.outlook.com[192.0.2.1]:25", "tenant.mail.protection.outlook.com"],
    ["eu-smtp-inbound-1.mimecast.com[192.0.2.1]:25", "us-smtp-inbound-2.mimecast.com"],
    ["mx.example.org[192.0.2.1]:25", "relay.example.net"],
    ["alt1.gmail-smtp-in.l.google.com", "gmail-smtp-in.l.google.com."],
  ]) {
    assert.equal(hostKeyOf(a), hostKeyOf(b), `${a} ~ ${b}`);
    for (const text of replies) {
      const ca = classifyReply({ text, remoteMta: a, recipient: "u@example.com" });
      const cb = classifyReply({ text, remoteMta: b, recipient: "u@example.com" });
      assert.deepEqual(
        [cb.provider, cb.reason, cb.category, cb.providerCode, cb.rule.id],
        [ca.provider, ca.reason, ca.category, ca.providerCode, ca.rule.id],
        `${text} from ${a} / ${b}`,
      );
    }
  }
});
