import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type Answer, type Packet, type Question } from "dns-packet";
import type { RecordType } from "../src/dns/types.ts";
import { answerFromZones, indexZones, type ZoneData, type ZoneNode } from "../src/dns/zones.ts";
import { bindLoopback } from "./loopback.ts";

/** A question the server received, for asserting lookup sequences and transports. */
export interface ServedQuery {
  name: string;
  type: string;
  transport: "udp" | "tcp";
}

export interface TestDnsServer {
  host: string;
  port: number;
  /** `udp://127.0.0.1:PORT`, the `--resolver` value for spawned CLIs. */
  url: string;
  queries: ServedQuery[];
  /** Replace the zones (answers change at once; TTL 0 everywhere). */
  setZones(zones: ZoneData): void;
  close(): Promise<void>;
}

const UDP_LIMIT = 512;

export interface DnsServerOptions {
  /** 127.0.0.1 by default; "::1" for IPv6. */
  host?: string;
  /** Delay every answer, to imitate a resolver's round trip in benchmarks. */
  delayMs?: number;
}

/**
 * A real authoritative DNS server on 127.0.0.1 for tests: UDP and TCP on the same ephemeral port,
 * zones as data, faults per name (SERVFAIL, REFUSED, never answer, forced truncation). Answers over
 * 512 octets on UDP are truncated (TC=1) as a real server would, so clients must retry over TCP.
 */
export async function startDnsServer(
  zones: ZoneData,
  options: DnsServerOptions = {},
): Promise<TestDnsServer> {
  const { host = "127.0.0.1", delayMs = 0 } = options;
  let index = indexZones(zones);
  const queries: ServedQuery[] = [];
  const respond = (query: Packet, transport: "udp" | "tcp"): Buffer | null => {
    const question = query.questions?.[0];
    if (!question) return null;
    queries.push({ name: question.name.toLowerCase(), type: question.type, transport });
    return replyTo(index, query, question, transport);
  };

  const { udp, tcp, port } = await udpAndTcpOnOnePort(host, (socket) => serveTcp(socket, respond));
  udp.on("message", (message, remote) => {
    const query = decodeOrNull(message);
    const reply = query && respond(query, "udp");
    if (!reply) return;
    const send = () => {
      try {
        udp.send(reply, remote.port, remote.address);
      } catch {
        // the server was closed while this delayed answer waited
      }
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
  const sockets = new Set<net.Socket>();
  tcp.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return {
    host,
    port,
    url: `udp://${host.includes(":") ? `[${host}]` : host}:${port}`,
    queries,
    setZones(next) {
      index = indexZones(next);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        udp.close(() => tcp.close(() => resolve()));
      }),
  };
}

/**
 * A UDP socket and a TCP server on the same ephemeral port, as a DNS server needs: the UDP port is the kernel's
 * choice, and when another socket already holds that number over TCP both are closed and a new one is tried. Every
 * bind and listen has its error path, so a port taken by another test is a retry, never a pending promise.
 */
export async function udpAndTcpOnOnePort(
  host: string,
  onConnection: (socket: net.Socket) => void,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    const port = await bindLoopback(udp, host);
    const tcp = net.createServer(onConnection);
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once("error", () => resolve(false));
      tcp.listen(port, host, () => resolve(true));
    });
    if (listening) return { udp, tcp, port };
    udp.close();
    if (attempt > 20) throw new Error("no port free for both UDP and TCP");
  }
}

function decodeOrNull(message: Buffer): Packet | null {
  try {
    return dnsPacket.decode(message);
  } catch {
    return null;
  }
}

function replyTo(
  index: Map<string, ZoneNode>,
  query: Packet,
  question: Question,
  transport: "udp" | "tcp",
): Buffer | null {
  const answer = answerFromZones(index, question.name, question.type as RecordType);
  if (answer.fault === "timeout") return null;
  const base = { id: query.id, type: "response" as const, questions: [question] };
  const RD_RA = (1 << 8) | (1 << 7);
  const AA = 1 << 10;
  const TC = 1 << 9;
  const { outcome } = answer;
  if (outcome.kind === "failed") {
    const rcode = outcome.reason === "refused" ? 5 : 2;
    return dnsPacket.encode({ ...base, flags: RD_RA | rcode });
  }
  if (outcome.kind === "none" && outcome.reason === "nxdomain") {
    return dnsPacket.encode({ ...base, flags: RD_RA | AA | 3 });
  }
  const answers: Answer[] = answer.chain.map((link) => ({
    type: "CNAME",
    name: link.name,
    ttl: 0,
    data: link.target,
  }));
  const owner = answer.chain.at(-1)?.target ?? question.name;
  if (outcome.kind === "answer")
    for (const record of outcome.records) answers.push(toAnswer(owner, question.type, record));
  const full = dnsPacket.encode({ ...base, flags: RD_RA | AA, answers });
  if (transport === "udp" && (answer.fault === "truncate" || full.length > UDP_LIMIT)) {
    return dnsPacket.encode({ ...base, flags: RD_RA | AA | TC });
  }
  return full;
}

function toAnswer(name: string, type: string, record: unknown): Answer {
  if (type === "MX") {
    const mx = record as { exchange: string; priority: number };
    return { type: "MX", name, ttl: 0, data: { exchange: mx.exchange, preference: mx.priority } };
  }
  if (type === "TXT") return { type: "TXT", name, ttl: 0, data: record as string[] };
  return { type: type as "A", name, ttl: 0, data: record as string };
}

function serveTcp(socket: net.Socket, respond: (query: Packet, transport: "tcp") => Buffer | null): void {
  let buffered = Buffer.alloc(0);
  socket.on("error", () => socket.destroy());
  socket.on("data", (data) => {
    buffered = Buffer.concat([buffered, data]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const length = buffered.readUInt16BE(0);
      const query = decodeOrNull(buffered.subarray(2, 2 + length));
      buffered = buffered.subarray(2 + length);
      const reply = query && respond(query, "tcp");
      if (!reply) continue;
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(reply.length);
      socket.write(Buffer.concat([prefix, reply]));
    }
  });
}
