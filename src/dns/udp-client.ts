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
    const query = dnsPacket.encode(questionPacket(id, name, type));
    const udp = await exchangeUdp(host, port, query, id, name, type, timeoutMs);
    if (udp.kind === "reply" && isTruncated(udp.reply)) {
      const tcp = await exchangeTcp(host, port, query, id, name, type, timeoutMs);
      return tcp.kind === "reply" ? outcomeOfReply(tcp.reply, type) : tcp.outcome;
    }
    return udp.kind === "reply" ? outcomeOfReply(udp.reply, type) : udp.outcome;
  };
}

type Exchange = { kind: "reply"; reply: Packet } | { kind: "failed"; outcome: DnsOutcome };

function failed(reason: "timeout" | "network" | "malformed", detail: string): Exchange {
  return { kind: "failed", outcome: { kind: "failed", reason, detail } };
}

function exchangeUdp(
  host: string,
  port: number,
  query: Buffer,
  id: number,
  name: string,
  type: RecordType,
  timeoutMs: number,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    let done = false;
    const finish = (result: Exchange) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish(failed("timeout", `no UDP reply from ${host}:${port}`)), timeoutMs);
    socket.on("error", (error) => finish(failed("network", error.message)));
    socket.on("message", (message) => {
      let reply: Packet;
      try {
        reply = dnsPacket.decode(message);
      } catch {
        return; // garbage: keep waiting for the real reply until the timeout
      }
      if (matchesQuestion(reply, id, name, type)) finish({ kind: "reply", reply });
    });
    socket.send(query, port, host, (error) => {
      if (error) finish(failed("network", error.message));
    });
  });
}

function exchangeTcp(
  host: string,
  port: number,
  query: Buffer,
  id: number,
  name: string,
  type: RecordType,
  timeoutMs: number,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (result: Exchange) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(failed("timeout", `no TCP reply from ${host}:${port}`)), timeoutMs);
    socket.on("error", (error) => finish(failed("network", error.message)));
    socket.on("connect", () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.length);
      socket.write(Buffer.concat([prefix, query]));
    });
    socket.on("data", (data) => {
      buffered = Buffer.concat([buffered, data]);
      if (buffered.length < 2) return;
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) return;
      try {
        const reply = dnsPacket.decode(buffered.subarray(2, 2 + length));
        finish(
          matchesQuestion(reply, id, name, type)
            ? { kind: "reply", reply }
            : failed("malformed", "TCP reply does not match the question"),
        );
      } catch (error) {
        finish(failed("malformed", error instanceof Error ? error.message : String(error)));
      }
    });
    socket.on("end", () => finish(failed("network", "TCP connection closed before a full reply")));
  });
}
