import { isAscii } from "node:buffer";
import { wasmExports } from "../../util/wasm.ts";
import { HEADER_BYTES_WASM } from "./header-bytes-wasm.ts";

/**
 * Header blocks read in WebAssembly (header-bytes.wat): a message's bytes are copied once into the module's
 * memory (loadHeaderBytes) and each header block of it is then one call, answering offsets, where the
 * JavaScript reader (headers.ts) made a regular-expression test, an indexOf and several charCodeAt calls a
 * line — a call's overhead each, for a few characters' work. Same rules, same answer: a test compares the two
 * on generated blocks and on every fixture. Where WebAssembly fails, for a text of no loaded bytes (a decoded
 * part), a message above MAX_TEXT bytes or a block of more than MAX_FIELDS fields, the JavaScript reader reads.
 */

interface HeaderBytesExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  load(length: number): void;
  block(start: number, end: number): number;
  quotedPrintable(start: number, end: number): number;
}

/** WebAssembly pages (64 KiB). */
const PAGE = 65536;
/** Where the message's bytes start in the module's memory (header-bytes.wat). */
const TEXT_AT = 65536;
/** The answer of `block` in the memory, as i32 indexes: body start, lines, then four a field. */
export const BODY_START = 4;
export const LINES = 5;
export const FIELDS_AT = 8;
/**
 * Messages larger than this are read in JavaScript: the module's memory never shrinks, and a header block's
 * share of such a message's work is small.
 */
const MAX_TEXT = 8 * 1024 * 1024;

/** The module's exports; null when WebAssembly failed, undefined until first needed. */
let module: HeaderBytesExports | null | undefined;
let memoryBytes = new Uint8Array(0);
/** The module's memory as i32s (its answers). */
let answer = new Int32Array(0);
/** The text whose bytes are in the module's memory, or null. */
let loaded: string | null = null;

function headerBytes(): HeaderBytesExports | null {
  if (module !== undefined) return module;
  // Made when used (nothing is remembered where there is no WebAssembly: the startup snapshot's build).
  const exports = wasmExports(HEADER_BYTES_WASM) as HeaderBytesExports | null | undefined;
  if (exports === undefined) return null;
  module = exports;
  if (module !== null) views(module);
  return module;
}

function views(wasm: HeaderBytesExports): void {
  memoryBytes = new Uint8Array(wasm.memory.buffer);
  answer = new Int32Array(wasm.memory.buffer);
}

/**
 * Makes `text`, the latin1 string of `bytes` (one char a byte), the text whose header blocks are read in
 * WebAssembly: its bytes are copied into the module's memory (until the next call).
 */
export function loadHeaderBytes(text: string, bytes: Uint8Array): void {
  loaded = null;
  if (bytes.length > MAX_TEXT || bytes.length !== text.length) return;
  const wasm = headerBytes();
  if (wasm === null) return;
  // Room after the bytes for as many again: what quotedPrintable decodes of them.
  const needed = TEXT_AT + 2 * bytes.length;
  if (memoryBytes.length < needed) {
    wasm.memory.grow(Math.ceil((needed - memoryBytes.length) / PAGE));
    views(wasm);
  }
  memoryBytes.set(bytes, TEXT_AT);
  wasm.load(bytes.length);
  loaded = text;
}

/** Forgets the loaded text (its string is no longer kept alive). */
export function unloadHeaderBytes(): void {
  loaded = null;
}

/**
 * The fields of the header block of text[start, end) as header-bytes.wat reads it, when `text` is the
 * loaded one: their number (their offsets from blockAnswer()[FIELDS_AT], four a field); -1 otherwise (or when
 * there are too many: the caller reads the block itself).
 */
export function blockInBytes(text: string, start: number, end: number): number {
  if (text !== loaded || module == null) return -1;
  return module.block(start, end);
}

/** The answer of the last blockInBytes: offsets as i32s (BODY_START, LINES, fields from FIELDS_AT). */
export function blockAnswer(): Int32Array {
  return answer;
}

/**
 * mime.ts decodeQuotedPrintable(text.slice(start, end)) decoded in WebAssembly, when `text` is the loaded one
 * (null otherwise): one pass over the bytes, where the JavaScript made two slices and a character a "=" (an
 * HTML part encodes every "=" of its attributes), and the text of its bytes made at once.
 */
export function quotedPrintableInBytes(text: string, start: number, end: number): string | null {
  if (text !== loaded || module == null) return null;
  const written = module.quotedPrintable(start, end);
  return Buffer.from(memoryBytes.buffer, TEXT_AT + text.length, written).toString("latin1");
}

/**
 * Whether text[start, end) is ASCII, read in the loaded bytes when `text` is the loaded one (null otherwise):
 * node:buffer's isAscii over them, where counting the slice's UTF-8 length walked its characters one by one.
 */
export function asciiInBytes(text: string, start: number, end: number): boolean | null {
  if (text !== loaded || module == null) return null;
  return isAscii(memoryBytes.subarray(TEXT_AT + start, TEXT_AT + end));
}
