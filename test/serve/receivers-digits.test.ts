import assert from "node:assert/strict";
import { test } from "node:test";
import { type ReceiverContext, receive } from "../../src/serve/receivers.ts";
import { readAll } from "../../testkit/events-read.ts";

const BASIC = "hooks:secret";

/** A receiver context that keeps what it is given to make durable. */
function capturing(): { context: ReceiverContext; records: string[] } {
  const records: string[] = [];
  const context: ReceiverContext = {
    secrets: { sendgrid: null, mailgun: null, snsTopics: null, basicAuth: BASIC },
    now: () => Date.now(),
    loadCert: async () => {
      throw new Error("no certificates here");
    },
    confirmSubscription: async () => {},
    accept: async (_format, given) => {
      records.push(...given);
    },
    admit: () => {},
  };
  return { context, records };
}

test("Postmark int64 IDs posted to the endpoint keep their digits: neighbouring ids stay two events (ci s49)", async () => {
  // Postmark's webhook documentation's example ID and its neighbour: one double (4323372036854775808) for both.
  const ids = ["4323372036854775807", "4323372036854775806"];
  const body = `[${ids
    .map(
      (id) =>
        `{"RecordType":"Bounce","ID":${id},"Type":"HardBounce","Email":"x@icloud.com","BouncedAt":"2026-06-01T10:00:00Z","Details":"550 5.1.1 unknown"}`,
    )
    .join(",")}]`;
  const { context, records } = capturing();
  const answer = await receive(
    "postmark",
    {
      headers: { authorization: `Basic ${Buffer.from(BASIC).toString("base64")}` },
      body: Buffer.from(body),
    },
    context,
  );
  assert.equal(answer.status, 200);
  assert.equal(records.length, 2);
  const { events } = await readAll(`${records.join("\n")}\n`, "postmark");
  assert.deepEqual(
    events.map((event) => event.eventId),
    ids.map((id) => `Bounce/${id}`),
  );
});
