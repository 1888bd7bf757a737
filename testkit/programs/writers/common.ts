/** Helpers the format writers share: deterministic ids, timestamps, the time-ordered event list. */
import { closeSync, openSync, writeSync } from "node:fs";
import type { Attempt, Engagement, Message, Program } from "../model.ts";

/** A deterministic 32-bit hash of a string (FNV-1a), for ids derived from a message and a label. */
export function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h >>> 0;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** `n` characters from `alphabet`, derived from `key` (the same key gives the same id). */
export function idFrom(key: string, n: number, alphabet = B64): string {
  let out = "";
  let h = hash32(key);
  for (let i = 0; i < n; i++) {
    if (i % 5 === 0) h = hash32(`${i}:${h}:${key}`);
    out += alphabet[h % alphabet.length];
    h = Math.floor(h / alphabet.length);
  }
  return out;
}

export const hex = (key: string, n: number) => idFrom(key, n, "0123456789abcdef");

/** One thing that happened to a message, in time order across the program. */
export type Happening =
  | { at: number; m: Message; kind: "sent" }
  | { at: number; m: Message; kind: "attempt"; attempt: Attempt; n: number }
  | { at: number; m: Message; kind: "engagement"; engagement: Engagement; n: number };

export function happenings(program: Program, withEngagement: boolean): Happening[] {
  const out: Happening[] = [];
  for (const m of program.messages) {
    out.push({ at: m.sentAt, m, kind: "sent" });
    m.attempts.forEach((attempt, n) => {
      out.push({ at: attempt.at, m, kind: "attempt", attempt, n });
    });
    if (withEngagement)
      m.engagement.forEach((engagement, n) => {
        out.push({ at: engagement.at, m, kind: "engagement", engagement, n });
      });
  }
  out.sort((a, b) => a.at - b.at || a.m.seq - b.m.seq);
  return out;
}

/** The reply without its leading code ("550 5.7.1 …" → "5.7.1 …"), as some ESPs store it. */
export function withoutCode(text: string): string {
  return text.replace(/^\d{3}[ -]/, "");
}

/** Writes lines to a file in ~1 MiB pieces (a program's export can exceed the longest JS string). */
export class LineFile {
  #fd: number;
  #pending: string[] = [];
  #size = 0;

  constructor(path: string) {
    this.#fd = openSync(path, "w");
  }

  push(line: string): void {
    this.#pending.push(line);
    this.#size += line.length + 1;
    if (this.#size >= 1 << 20) this.#flush();
  }

  #flush(): void {
    if (this.#pending.length > 0) writeSync(this.#fd, `${this.#pending.join("\n")}\n`);
    this.#pending = [];
    this.#size = 0;
  }

  close(): void {
    this.#flush();
    closeSync(this.#fd);
  }
}
