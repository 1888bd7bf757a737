import assert from "node:assert/strict";
import dgram from "node:dgram";
import { describe, it } from "node:test";
import dnsPacket from "dns-packet";
import { createResolver } from "../../src/dns/index.ts";
import { udpAndTcpOnOnePort } from "../../testkit/dns-server.ts";
import { bindLoopback } from "../../testkit/loopback.ts";

/** A UDP "server" that answers each query with what `reply` returns (several datagrams allowed). */
async function rogueUdp(reply: (query: Buffer) => Buffer[]): Promise<{ port: number; close: () => void }> {
  const socket = dgram.createSocket("udp4");
  const port = await bindLoopback(socket);
  answerEach(socket, reply);
  return { port, close: () => socket.close() };
}

function answerEach(socket: dgram.Socket, reply: (query: Buffer) => Buffer[]): void {
  socket.on("message", (message, remote) => {
    for (const datagram of reply(message)) socket.send(datagram, remote.port, remote.address);
  });
}

const answerTo = (query: Buffer, overrides: Partial<dnsPacket.Packet>) => {
  const decoded = dnsPacket.decode(query);
  return dnsPacket.encode({
    id: decoded.id,
    type: "response",
    flags: 1 << 7,
    questions: decoded.questions,
    answers: [{ type: "A", name: decoded.questions![0].name, data: "192.0.2.1" }],
    ...overrides,
  });
};

/** Each hostile reply, why it must be ignored, and the outcome the client must still reach. */
const HOSTILE: { name: string; reply: (query: Buffer) => Buffer[]; expect: "timeout" | "answer" }[] = [
  { name: "garbage bytes only", reply: () => [Buffer.from("not dns at all")], expect: "timeout" },
  {
    name: "a reply with another id",
    reply: (q) => [answerTo(q, { id: (dnsPacket.decode(q).id! + 1) % 65536 })],
    expect: "timeout",
  },
  {
    name: "a reply for another name",
    reply: (q) => [answerTo(q, { questions: [{ name: "evil.test", type: "A" }] })],
    expect: "timeout",
  },
  {
    name: "garbage, a spoof, then the real reply",
    reply: (q) => [Buffer.alloc(3), answerTo(q, { id: 1 }), answerTo(q, {})],
    expect: "answer",
  },
];

describe("the UDP client against hostile servers", () => {
  for (const hostile of HOSTILE) {
    it(`${hostile.name}: ${hostile.expect}`, async () => {
      const server = await rogueUdp(hostile.reply);
      try {
        // A reply that must be ignored ends in the timeout, kept short; one that must be read gets the time a
        // loaded host needs to answer from this process's own event loop (150 ms once fell short at load 22).
        const resolver = createResolver(
          { mode: "udp", host: "127.0.0.1", port: server.port },
          { timeoutMs: hostile.expect === "timeout" ? 150 : 2000, retries: 0 },
        );
        const outcome = await resolver.lookup("victim.test", "A");
        if (hostile.expect === "timeout")
          assert.equal(outcome.kind === "failed" && outcome.reason, "timeout");
        else assert.deepEqual(outcome, { kind: "answer", records: ["192.0.2.1"] });
      } finally {
        server.close();
      }
    });
  }

  it("a truncated reply whose TCP side closes early is a network failure, not an answer", async () => {
    // The TCP side is bound to the UDP side's port number with a retry when another socket holds it: a bare
    // listen on that number once failed with EADDRINUSE and left this file's UDP socket open forever.
    const { udp, tcp, port } = await udpAndTcpOnOnePort("127.0.0.1", (socket) =>
      socket.end(Buffer.from([0, 40, 1, 2])),
    );
    answerEach(udp, (q) => [answerTo(q, { flags: (1 << 7) | (1 << 9), answers: [] })]);
    try {
      const resolver = createResolver(
        { mode: "udp", host: "127.0.0.1", port },
        { timeoutMs: 10_000, retries: 0 },
      );
      const outcome = await resolver.lookup("victim.test", "A");
      assert.equal(outcome.kind === "failed" && outcome.reason, "network");
    } finally {
      udp.close();
      tcp.close();
    }
  });
});
