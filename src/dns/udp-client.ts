import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type Packet } from "dns-packet";
import type { DnsOutcome, RecordType, Transport } from "./types.ts";
import { isTruncated, matchesQuestion, outcomeOfReply, queryId, questionPacket } from "./wire.ts";

/**
 * A stub client that asks one server over UDP and retries over TCP when the reply is truncated
 * (RFC 7766), so a loopback test server on 127.0.0.1:PORT is reachable. One socket per query keeps
 * concurrent questions independent.
 */
export function udpTransport(host: string, port: number): Transport {
  return async (name, type, timeoutMs) => {
    const id = queryId();
    const ask: Ask = {
      host,
      port,
      id,
      name,
      type,
      timeoutMs,
      query: dnsPacket.encode(questionPacket(id, name, type)),
    };
    const udp = await exchange(ask, "UDP", udpSocket);
    if (udp.kind === "reply" && isTruncated(udp.reply)) {
      const tcp = await exchange(ask, "TCP", tcpSocket);
      return tcp.kind === "reply" ? outcomeOfReply(tcp.reply, type) : tcp.outcome;
    }
    return udp.kind === "reply" ? outcomeOfReply(udp.reply, type) : udp.outcome;
  };
}

interface Ask {
  host: string;
  port: number;
  id: number;
  name: string;
  type: RecordType;
  timeoutMs: number;
  query: Buffer;
}

type Exchange = { kind: "reply"; reply: Packet } | { kind: "failed"; outcome: DnsOutcome };

/** Callbacks a socket kind calls; `settle` may be called many times, only the first counts. */
interface Exchanger {
  /** Offer a raw DNS message; replies that do not match the question are ignored. */
  offer(message: Buffer): void;
  fail(reason: "network" | "malformed", detail: string): void;
}

type SocketKind = (ask: Ask, exchanger: Exchanger) => { close(): void };

function failed(reason: "timeout" | "network" | "malformed", detail: string): Exchange {
  return { kind: "failed", outcome: { kind: "failed", reason, detail } };
}

/** One attempt over one transport: settles once, on a matching reply, an error or the timeout. */
function exchange(ask: Ask, label: string, open: SocketKind): Promise<Exchange> {
  return new Promise((resolve) => {
    let done = false;
    const settle = (result: Exchange) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(
      () => settle(failed("timeout", `no ${label} reply from ${ask.host}:${ask.port}`)),
      ask.timeoutMs,
    );
    const socket = open(ask, {
      offer(message) {
        let reply: Packet;
        try {
          reply = dnsPacket.decode(message);
        } catch {
          return; // garbage: keep waiting for the real reply until the timeout
        }
        if (matchesQuestion(reply, ask.id, ask.name, ask.type)) settle({ kind: "reply", reply });
      },
      fail: (reason, detail) => settle(failed(reason, detail)),
    });
  });
}

const udpSocket: SocketKind = (ask, exchanger) => {
  const socket = dgram.createSocket(net.isIPv6(ask.host) ? "udp6" : "udp4");
  socket.on("error", (error) => exchanger.fail("network", error.message));
  socket.on("message", (message) => exchanger.offer(message));
  socket.send(ask.query, ask.port, ask.host, (error) => {
    if (error) exchanger.fail("network", error.message);
  });
  return { close: () => socket.close() };
};

/** DNS over TCP: each message is prefixed by its 2-octet length (RFC 1035 4.2.2). */
const tcpSocket: SocketKind = (ask, exchanger) => {
  const socket = net.connect({ host: ask.host, port: ask.port });
  let buffered = Buffer.alloc(0);
  socket.on("error", (error) => exchanger.fail("network", error.message));
  socket.on("connect", () => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(ask.query.length);
    socket.write(Buffer.concat([prefix, ask.query]));
  });
  socket.on("data", (data) => {
    buffered = Buffer.concat([buffered, data]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const length = buffered.readUInt16BE(0);
      exchanger.offer(buffered.subarray(2, 2 + length));
      buffered = buffered.subarray(2 + length);
    }
  });
  socket.on("end", () => exchanger.fail("network", "TCP connection closed before a full reply"));
  return { close: () => socket.destroy() };
};
