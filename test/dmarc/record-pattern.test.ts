import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseAggregateXml, RECORD_PATTERN, recordPatternsFor } from "../../src/dmarc/aggregate-xml.ts";
import { aggregateXml, parsedmarcXmlSamples, XML_MUTATION_PIECES } from "../../testkit/dmarc-reports.ts";

/**
 * A record in the schema's shape is matched whole by one pattern (src/dmarc/aggregate-xml.ts,
 * RECORD_PATTERN) instead of read element by element: both ways give the same report, or refuse it with
 * the same reason and message (line included) — on the parsedmarc samples, on generated reports with every
 * optional part, and on reports mutated at random in chunks cut anywhere.
 */

type Outcome = string;

async function outcome(bytes: Buffer, cuts: number[], recordPattern: boolean): Promise<Outcome> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  async function* chunks(): AsyncGenerator<Buffer> {
    let from = 0;
    for (const p of points) {
      yield bytes.subarray(from, p);
      from = p;
    }
    yield bytes.subarray(from);
  }
  try {
    return JSON.stringify(await parseAggregateXml(chunks(), "", { recordPattern }));
  } catch (error) {
    const e = error as Error & { reason?: string };
    return `refused ${e.reason ?? e.name}: ${e.message}`;
  }
}

async function assertSame(doc: Buffer | string, cuts: number[] = [], label = ""): Promise<Outcome> {
  const bytes = Buffer.isBuffer(doc) ? doc : Buffer.from(doc, "utf8");
  const byReader = await outcome(bytes, cuts, false);
  assert.equal(await outcome(bytes, cuts, true), byReader, label || bytes.toString("utf8").slice(0, 2000));
  return byReader;
}

const DAY = 86_400;
const REPORT = aggregateXml({
  reporter: "Mail.Ru",
  reportId: "r-1",
  begin: 1_700_000_000,
  end: 1_700_000_000 + DAY - 1,
  rows: [
    { ip: "192.0.2.1", count: 3, reasons: ["forwarded", "local_policy"], comment: "arc=pass" },
    {
      ip: "2001:db8::1",
      count: 1,
      dkim: "fail",
      spf: "fail",
      moreDkim: [{ domain: "list.example", result: "pass" }],
    },
    {
      ip: "198.51.100.7",
      count: 7,
      disposition: "quarantine",
      headerFrom: "Sub.Example.COM",
      spfResult: "softfail",
    },
  ],
});

/** The optional parts the pattern takes (envelope_to/from, scope, human_result) and white space around tags. */
const OPTIONAL = `<?xml version="1.0"?>
<feedback>
  <report_metadata><org_name>x</org_name><email>a@x</email><report_id>1</report_id>
    <date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>
  <policy_published><domain>example.com</domain><p>reject</p></policy_published>
  <record>
    <row>
      <source_ip> 192.0.2.9 </source_ip>
      <count>12</count>
      <policy_evaluated>
        <disposition>Reject</disposition>
        <dkim>FAIL</dkim>
        <spf>fail</spf>
        <reason><type>other</type></reason>
        <reason>
          <type></type>
          <comment> é "quoted" </comment>
        </reason>
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_to>Example.com</envelope_to>
      <envelope_from></envelope_from>
      <header_from>example.com</header_from>
    </identifiers>
    <auth_results>
      <dkim><domain>example.com</domain><result>pass</result><human_result>ok</human_result></dkim>
      <spf><domain>example.com</domain><scope>MFROM</scope><result>none</result><human_result></human_result></spf>
    </auth_results>
  </record>
</feedback>
`;

test("the parsedmarc samples read the same by the record pattern as element by element", async () => {
  const samples = parsedmarcXmlSamples();
  assert.ok(samples.length >= 10);
  for (const [name, xml] of samples) {
    await assertSame(xml, [], name);
    await assertSame(xml, [7, 300, 301, 5000], `${name} in chunks`);
  }
});

test("generated reports with every optional part: the same report, and the pattern is what reads them", async () => {
  const noSignature = REPORT.replace(
    /<dkim><domain>[^<]*<\/domain><selector>[^<]*<\/selector><result>[^<]*<\/result><\/dkim>/,
    "",
  );
  const twoSpf = REPORT.replace(
    "</spf></auth_results>",
    "</spf><spf><domain>b.example</domain><result>fail</result></spf></auth_results>",
  );
  // Orders real reporters use (the parsedmarc samples): a signature's result before its selector
  // (Amazon SES), an SPF scope after its result, header_from before envelope_from.
  const resultFirst = REPORT.replaceAll(
    /<selector>([^<]*)<\/selector><result>([^<]*)<\/result>/g,
    "<result>$2</result><selector>$1</selector>",
  );
  const scopeLast = twoSpf.replace(
    "<domain>b.example</domain><result>fail</result>",
    "<domain>b.example</domain><result>fail</result><scope>helo</scope>",
  );
  const headerFirst = OPTIONAL.replace(
    /(<envelope_to>.*<\/envelope_from>)(\s*)(<header_from>.*<\/header_from>)/s,
    "$3$2$1",
  );
  assert.ok(noSignature !== REPORT && twoSpf !== REPORT);
  assert.ok(resultFirst !== REPORT && scopeLast !== twoSpf && headerFirst !== OPTIONAL);
  for (const doc of [REPORT, OPTIONAL, noSignature, twoSpf, resultFirst, scopeLast, headerFirst]) {
    const read = await assertSame(doc);
    assert.ok(read.startsWith("{"), read);
    let records = 0;
    for (let at = doc.indexOf("<record>"); at >= 0; at = doc.indexOf("<record>", at + 1)) {
      RECORD_PATTERN.lastIndex = at;
      assert.ok(RECORD_PATTERN.exec(doc), `the pattern takes the record at ${at}`);
      records++;
    }
    assert.ok(records > 0);
  }
  // Values the pattern passes on as text to the same checks: refused the same way, at the same line.
  for (const [from, to] of [
    ["<disposition>none", "<disposition>nonsense"],
    ["<count>3", "<count>3x"],
    ["<source_ip>192.0.2.1", "<source_ip>192.0.2.999"],
    ["<result>pass</result></dkim>", "<result>maybe</result></dkim>"],
    ["<header_from>example.com", "<header_from>"],
  ]) {
    const read = await assertSame(REPORT.replace(from, to));
    assert.match(read, /^refused invalid-report: .*line \d+/);
  }
});

/** Every tag of a report with `prefix` (the namespace declared on the root). */
function prefixed(doc: string, prefix: string): string {
  return doc
    .replace(/<(\/?)([a-z_]+)([ >/])/g, `<$1${prefix}:$2$3`)
    .replace(
      `<${prefix}:feedback>`,
      `<${prefix}:feedback xmlns:${prefix}="urn:ietf:params:xml:ns:dmarc-2.0">`,
    );
}

/** A comment after every end tag and every start tag of a parent (never inside a value, empty or not). */
function commented(doc: string, comment: string): string {
  return doc.replace(/(<\/[a-z_:.-]+>|<[a-z_:.-]+>(?=\s*<[a-z]))(?=\s*<)/g, `$1${comment}`);
}

test("records with prefixed tags or comments between tags: the same report, and the pattern is what reads them", async () => {
  for (const base of [REPORT, OPTIONAL]) {
    for (const [doc, tag] of [
      [prefixed(base, "dmarc"), "dmarc:record"],
      [prefixed(base, "a.b-c"), "a.b-c:record"],
      [commented(base, "<!-- exported by x - see https://example.com/?a=1&b=<2> -->"), "record"],
      [commented(base, "<!---->\n<!-- é \r\n -->"), "record"],
      [commented(prefixed(base, "d"), "<!--x-->"), "d:record"],
    ] as const) {
      const read = await assertSame(doc);
      assert.ok(read.startsWith("{"), read);
      const patterns = recordPatternsFor(tag);
      assert.ok(patterns, tag);
      let records = 0;
      for (let at = doc.indexOf(`<${tag}>`); at >= 0; at = doc.indexOf(`<${tag}>`, at + 1)) {
        patterns.record.lastIndex = at;
        assert.ok(patterns.record.exec(doc), `the pattern takes the record at ${at} of ${doc.slice(0, 400)}`);
        records++;
      }
      assert.ok(records > 0);
      await assertSame(doc, [100, 101, 1000]);
    }
  }
  // Read element by element (and the same either way): mixed prefixes, a comment the reader refuses or
  // longer than the pattern takes, a comment inside a value — each in the first record.
  for (const [doc, tag] of [
    [
      prefixed(REPORT, "dmarc").replace("<dmarc:row>", "<row>").replace("</dmarc:row>", "</row>"),
      "dmarc:record",
    ],
    [commented(REPORT, "<!-- a -- b -->"), "record"],
    [commented(REPORT, "<!-- a --->"), "record"],
    [commented(REPORT, `<!--${"x".repeat(5000)}-->`), "record"],
    [REPORT.replace("<count>3", "<count><!-- c -->3"), "record"],
  ] as const) {
    await assertSame(doc);
    const patterns = recordPatternsFor(tag);
    assert.ok(patterns);
    patterns.record.lastIndex = doc.indexOf(`<${tag}>`);
    assert.equal(patterns.record.exec(doc), null, doc.slice(0, 300));
  }
  assert.equal(recordPatternsFor("a:b:record"), null);
  assert.equal(recordPatternsFor("records"), null);
});

/** XML's syntax, and the record's own tags and parts moved around. */
const PIECES = [
  ...XML_MUTATION_PIECES,
  "</record>",
  "<record>",
  "<dkim>",
  "</dkim>",
  "<reason><type>other</type></reason>",
  "<x/>",
  "a='1'",
  "<!-- c -->",
  "<!--",
  "-->",
  "dmarc:",
];

test("reports mutated at random, in chunks: the pattern reads or refuses exactly as the reader does", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ at: fc.nat(), piece: fc.constantFrom(...PIECES), remove: fc.nat(3) }), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.array(fc.nat(), { maxLength: 3 }),
      async (mutations, cuts) => {
        let doc = REPORT;
        for (const m of mutations) {
          const at = m.at % (doc.length + 1);
          doc = doc.slice(0, at) + m.piece + doc.slice(at + m.remove);
        }
        await assertSame(doc, cuts);
      },
    ),
    { numRuns: 1500 },
  );
});
