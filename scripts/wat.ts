/**
 * A WebAssembly text assembler for the small subset src/ uses (src/events/line-bytes.wat): memory imports
 * (multi-memory, shared or not), functions with named params and locals, flat (not folded) instructions of
 * i32/i64 arithmetic, loads and stores with a memory name and `offset=`, and block/loop/if with named
 * labels. No dependency and no network: scripts/build-wasm.ts turns the .wat beside the module into its
 * bytes, and a test checks that the committed bytes are the text's. Anything outside the subset throws.
 */

type Sexp = string | Sexp[];

/** Opcodes of instructions without immediates. */
const PLAIN: Record<string, number> = {
  unreachable: 0x00,
  nop: 0x01,
  else: 0x05,
  end: 0x0b,
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  "i32.eqz": 0x45,
  "i32.eq": 0x46,
  "i32.ne": 0x47,
  "i32.lt_s": 0x48,
  "i32.lt_u": 0x49,
  "i32.gt_s": 0x4a,
  "i32.gt_u": 0x4b,
  "i32.le_s": 0x4c,
  "i32.le_u": 0x4d,
  "i32.ge_s": 0x4e,
  "i32.ge_u": 0x4f,
  "i64.eqz": 0x50,
  "i64.eq": 0x51,
  "i64.ne": 0x52,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.and": 0x71,
  "i32.or": 0x72,
  "i32.xor": 0x73,
  "i32.shl": 0x74,
  "i32.shr_s": 0x75,
  "i32.shr_u": 0x76,
  "i64.and": 0x83,
  "i64.or": 0x84,
  "i64.xor": 0x85,
};
/** Loads and stores: opcode and natural alignment (log2 of the access's bytes). */
const MEMORY_OPS: Record<string, [number, number]> = {
  "i32.load": [0x28, 2],
  "i64.load": [0x29, 3],
  "i32.load8_u": [0x2d, 0],
  "i32.load16_u": [0x2f, 1],
  "i32.store": [0x36, 2],
  "i64.store": [0x37, 3],
  "i32.store8": [0x3a, 0],
};
const VALUE_TYPES: Record<string, number> = { i32: 0x7f, i64: 0x7e };
const BLOCKS: Record<string, number> = { block: 0x02, loop: 0x03, if: 0x04 };

/** The binary module of a .wat text in the subset above. */
export function assemble(text: string): Uint8Array {
  const module = parse(text);
  if (!Array.isArray(module) || module[0] !== "module") throw new Error("wat: expected (module …)");
  const memories: string[] = [];
  const imports: number[][] = [];
  const funcs: Sexp[][] = [];
  for (const field of module.slice(1)) {
    if (!Array.isArray(field)) throw new Error(`wat: unexpected ${field}`);
    if (field[0] === "import") imports.push(memoryImport(field, memories));
    else if (field[0] === "func") funcs.push(field);
    else throw new Error(`wat: unsupported field ${field[0]}`);
  }
  const functionNames = funcs.map((f) => (typeof f[1] === "string" && f[1].startsWith("$") ? f[1] : ""));
  const types: string[] = [];
  const typeOf: number[] = [];
  const exports: number[][] = [];
  const bodies: number[][] = [];
  funcs.forEach((func, index) => {
    const { signature, body, exported } = compileFunc(func, memories, functionNames);
    const key = signature.join(",");
    if (!types.includes(key)) types.push(key);
    typeOf.push(types.indexOf(key));
    bodies.push(body);
    if (exported !== null) exports.push([...name(exported), 0x00, ...unsigned(index)]);
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types.map((key) => key.split(",").map(Number)))),
    ...section(2, vector(imports)),
    ...section(3, vector(typeOf.map((t) => unsigned(t)))),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies.map((body) => [...unsigned(body.length), ...body]))),
  ]);
}

/** `(import "m" "n" (memory $name min max? shared?))`: its import entry; the memory's name is recorded. */
function memoryImport(field: Sexp[], memories: string[]): number[] {
  const [, module, field2, desc] = field;
  if (
    typeof module !== "string" ||
    typeof field2 !== "string" ||
    !Array.isArray(desc) ||
    desc[0] !== "memory"
  )
    throw new Error("wat: only memory imports are supported");
  const rest = desc.slice(1) as string[];
  memories.push(rest[0].startsWith("$") ? (rest.shift() as string) : `${memories.length}`);
  const shared = rest.at(-1) === "shared";
  const limits = rest.filter((word) => word !== "shared").map(Number);
  const flags = (limits.length > 1 ? 1 : 0) | (shared ? 2 : 0);
  return [
    ...name(unquote(module)),
    ...name(unquote(field2)),
    0x02,
    flags,
    ...limits.flatMap((n) => unsigned(n)),
  ];
}

/** A function's signature (type entry), export name and body (locals and code). */
function compileFunc(
  func: Sexp[],
  memories: string[],
  functionNames: string[],
): { signature: number[]; body: number[]; exported: string | null } {
  const locals: string[] = [];
  const params: number[] = [];
  const results: number[] = [];
  const localTypes: number[] = [];
  let exported: string | null = null;
  const code: number[] = [];
  const labels: string[] = [];
  const words: string[] = [];
  for (const item of func.slice(1)) {
    if (typeof item === "string") {
      words.push(item);
      continue;
    }
    const [head, ...rest] = item as string[];
    if (head === "export") exported = unquote(rest[0]);
    else if (head === "param" || head === "local") {
      locals.push(rest[0]);
      (head === "param" ? params : localTypes).push(valueType(rest[1]));
    } else if (head === "result") results.push(valueType(rest[0]));
    else throw new Error(`wat: unsupported (${head} …) in a function`);
  }
  if (words[0]?.startsWith("$")) words.shift();
  const localIndex = (word: string) => {
    const i = /^\d+$/.test(word) ? Number(word) : locals.indexOf(word);
    if (i < 0 || i >= locals.length) throw new Error(`wat: unknown local ${word}`);
    return i;
  };
  for (let i = 0; i < words.length; i++) {
    const op = words[i];
    if (op in BLOCKS) {
      code.push(BLOCKS[op], 0x40);
      labels.push(words[i + 1]?.startsWith("$") ? words[++i] : "");
    } else if (op === "end") {
      code.push(PLAIN.end);
      labels.pop();
    } else if (op in PLAIN) code.push(PLAIN[op]);
    else if (op === "br" || op === "br_if") {
      const label = words[++i];
      const depth = /^\d+$/.test(label) ? Number(label) : labels.length - 1 - labels.lastIndexOf(label);
      if (depth < 0 || depth >= labels.length) throw new Error(`wat: unknown label ${label}`);
      code.push(op === "br" ? 0x0c : 0x0d, ...unsigned(depth));
    } else if (op === "local.get" || op === "local.set" || op === "local.tee") {
      code.push(
        { "local.get": 0x20, "local.set": 0x21, "local.tee": 0x22 }[op],
        ...unsigned(localIndex(words[++i])),
      );
    } else if (op === "i32.const" || op === "i64.const") {
      code.push(op === "i32.const" ? 0x41 : 0x42, ...signed(BigInt(words[++i])));
    } else if (op === "call") {
      const target = functionNames.indexOf(words[++i]);
      if (target < 0) throw new Error(`wat: unknown function ${words[i]}`);
      code.push(0x10, ...unsigned(target));
    } else if (op in MEMORY_OPS) {
      const [opcode, align] = MEMORY_OPS[op];
      let memory = 0;
      if (words[i + 1]?.startsWith("$")) {
        memory = memories.indexOf(words[++i]);
        if (memory < 0) throw new Error(`wat: unknown memory ${words[i]}`);
      }
      let offset = 0;
      if (words[i + 1]?.startsWith("offset=")) offset = Number(words[++i].slice("offset=".length));
      code.push(opcode);
      if (memory === 0) code.push(align);
      else code.push(align | 0x40, ...unsigned(memory));
      code.push(...unsigned(offset));
    } else throw new Error(`wat: unsupported instruction ${op}`);
  }
  if (labels.length !== 0) throw new Error("wat: a block is not closed");
  const localGroups = localTypes.flatMap((type) => [1, type]);
  return {
    signature: [0x60, ...unsigned(params.length), ...params, ...unsigned(results.length), ...results],
    body: [...unsigned(localTypes.length), ...localGroups, ...code, PLAIN.end],
    exported,
  };
}

function valueType(word: string): number {
  const type = VALUE_TYPES[word];
  if (type === undefined) throw new Error(`wat: unsupported type ${word}`);
  return type;
}

function unquote(word: string): string {
  if (!word.startsWith('"') || !word.endsWith('"')) throw new Error(`wat: expected a string, got ${word}`);
  return word.slice(1, -1);
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, "utf8")];
  return [...unsigned(bytes.length), ...bytes];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsigned(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

function unsigned(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function signed(n: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** S-expressions of the text: atoms (strings keep their quotes), `;;` and `(; ;)` comments skipped. */
function parse(text: string): Sexp {
  const tokens = text
    .replace(/\(;[\s\S]*?;\)/g, " ")
    .replace(/;;[^\n]*/g, " ")
    .match(/"[^"]*"|\(|\)|[^\s()]+/g);
  if (tokens === null) throw new Error("wat: empty");
  let at = 0;
  const read = (): Sexp => {
    const token = tokens[at++];
    if (token !== "(") return token;
    const list: Sexp[] = [];
    while (tokens[at] !== ")") {
      if (at >= tokens.length) throw new Error("wat: unbalanced parentheses");
      list.push(read());
    }
    at++;
    return list;
  };
  return read();
}
