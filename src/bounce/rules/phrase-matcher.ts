import { anyOf } from "./any-of.ts";
import {
  alignedIn,
  fragmentsOf,
  gatesHold,
  type PhraseContext,
  type PhraseRule,
  type RuleTable,
  statusOutranks,
  tableApplies,
} from "./phrase-rule.ts";

/** A rule placed in the compiled order. */
export interface CompiledRule {
  order: number;
  /** Index of the table in the matcher's list. */
  tableIndex: number;
  table: RuleTable;
  rule: PhraseRule;
}

interface Anchored extends CompiledRule {
  /** Text every match contains: the longest fragment of a phrase, a literal run of a pattern. */
  anchor: string;
  /** Where in the anchor its indexed three characters start (its rarest among all anchors). */
  offset: number;
  /** Whether the anchor alone does not prove the match (more fragments, or a pattern). */
  verify: boolean;
}

/**
 * Ordered tables compiled once into one matcher: the answer is the first rule in table order whose text
 * and gates hold, as if every rule were tried in turn, but the reply is read once. Every rule has an
 * anchor (a phrase's longest fragment, or a literal run every match of a pattern contains) indexed by the
 * rarest three characters it holds (fewest anchors hold them: "mai", "mes", "sen" start dozens of anchors,
 * so a reply's common words would each try them all); one pass over the reply looks up each position and
 * tries only the rules indexed there, in order, stopping at the best order found so far. A pattern is run only where its anchor occurs;
 * the few patterns without a literal run share one combined prefilter.
 */
export class PhraseMatcher {
  readonly rules: readonly CompiledRule[];
  /** Open addressing over the anchors' keys (a Map look-up per reply character cost more than the rest). */
  private readonly slotKeys: Int32Array;
  private readonly slotRules: Anchored[][];
  private readonly slotMask: number;
  private readonly short: Anchored[] = [];
  private readonly unanchored: CompiledRule[] = [];
  private readonly anyUnanchored: RegExp | null;
  /** Per rule, the call that last found its text missing: a rule anchored twice in a reply is tried once. */
  private readonly missed: Uint32Array;
  private call = 0;
  /** Per table, the call its scope was last worked out in, and whether it applied then (1) or not (0). */
  private readonly scopeCall: Uint32Array;
  private readonly scope: Uint8Array;

  constructor(tables: readonly RuleTable[]) {
    const rules: CompiledRule[] = [];
    const indexed: Anchored[] = [];
    for (const [tableIndex, table] of tables.entries()) {
      for (const rule of table.rules) {
        const compiled: CompiledRule = { order: rules.length, tableIndex, table, rule };
        rules.push(compiled);
        const fragments = fragmentsOf(rule);
        const literal = rule.pattern
          ? requiredLiteral(rule.pattern.source)
          : fragments.reduce((a, b) => (b.length > a.length ? b : a), "");
        // A pattern with no literal run of three may still need one of a group's words ("(?:mailbox|inbox) is
        // full"): it is indexed under each (a reply holding two of them tries it once: `missed`).
        const anchors =
          literal.length < 3 && rule.pattern
            ? (requiredAlternatives(rule.pattern.source) ?? [literal])
            : [literal];
        if (anchors[0].length === 0) {
          if (!rule.pattern) throw new Error(`rule ${rule.id}: no phrase and no pattern`);
          this.unanchored.push(compiled);
          continue;
        }
        for (const anchor of anchors) {
          const anchored: Anchored = {
            ...compiled,
            anchor,
            offset: 0,
            verify: rule.pattern !== undefined || fragments.length > 1,
          };
          if (anchor.length < 3) this.short.push(anchored);
          else indexed.push(anchored);
        }
      }
    }
    // How many anchors hold each three characters: the rarer, the fewer rules a reply's text wakes up.
    // (Built in every process before its first reply, mostly by the interpreter: each anchor's keys are
    // worked out once, and counted once per anchor without a set per anchor.)
    const keysOf = indexed.map((entry) => trigramsOf(entry.anchor));
    const holding = new Map<number, number>();
    for (const keys of keysOf) {
      for (let at = 0; at < keys.length; at++) {
        const key = keys[at];
        if (keys.indexOf(key) === at) holding.set(key, (holding.get(key) ?? 0) + 1);
      }
    }
    // In rule order, so each bucket stays in table order.
    const byKey = new Map<number, Anchored[]>();
    for (let n = 0; n < indexed.length; n++) {
      const entry = indexed[n];
      const keys = keysOf[n];
      // The first of its rarest keys.
      let fewest = holding.get(keys[0]) ?? 0;
      for (let at = 1; at < keys.length; at++) {
        const count = holding.get(keys[at]) ?? 0;
        if (count < fewest) {
          fewest = count;
          entry.offset = at;
        }
      }
      const key = keys[entry.offset];
      const bucket = byKey.get(key);
      if (bucket) bucket.push(entry);
      else byKey.set(key, [entry]);
    }
    // At most a quarter full: a miss (most characters of a reply) ends at the first empty slot.
    let size = 16;
    while (size < byKey.size * 4) size *= 2;
    this.slotMask = size - 1;
    this.slotKeys = new Int32Array(size).fill(EMPTY);
    this.slotRules = new Array(size).fill(NONE);
    for (const [key, bucket] of byKey) {
      let slot = slotOf(key) & this.slotMask;
      while (this.slotKeys[slot] !== EMPTY) slot = (slot + 1) & this.slotMask;
      this.slotKeys[slot] = key;
      this.slotRules[slot] = bucket;
    }
    this.rules = rules;
    this.missed = new Uint32Array(rules.length);
    this.scopeCall = new Uint32Array(tables.length);
    this.scope = new Uint8Array(tables.length);
    this.anyUnanchored = anyOf(this.unanchored.map((entry) => entry.rule.pattern ?? /(?!)/));
  }

  /** The first rule (in table order) that holds for this reply, or null. */
  match(context: PhraseContext): CompiledRule | null {
    const text = context.lowerText;
    this.call = (this.call + 1) >>> 0 || 1;
    const call = this.call;
    let best: CompiledRule | null = null;
    let bestOrder = Number.POSITIVE_INFINITY;
    const last = text.length - 2;
    const keys = this.slotKeys;
    const mask = this.slotMask;
    // The key rolls along the reply: one character read a position (three cost twice as much in Maglev code).
    let key = last > 0 ? ((text.charCodeAt(0) & 511) << 9) | (text.charCodeAt(1) & 511) : 0;
    for (let i = 0; i < last; i++) {
      key = ((key << 9) & KEY_BITS) | (text.charCodeAt(i + 2) & 511);
      let slot = slotOf(key) & mask;
      while (keys[slot] !== key && keys[slot] !== EMPTY) slot = (slot + 1) & mask;
      if (keys[slot] === EMPTY) continue;
      const bucket = this.slotRules[slot];
      // Index loops: for-of allocates an iterator per loop in Maglev-compiled code (email runs' tier).
      for (let b = 0; b < bucket.length; b++) {
        const entry = bucket[b];
        if (entry.order >= bestOrder) break;
        const at = i - entry.offset;
        if (at < 0 || !text.startsWith(entry.anchor, at)) continue;
        if (entry.verify ? !this.holds(entry, context, call) : !this.applies(entry, context, call)) continue;
        best = entry;
        bestOrder = entry.order;
        break;
      }
    }
    for (let s = 0; s < this.short.length; s++) {
      const entry = this.short[s];
      if (entry.order >= bestOrder) break;
      if (text.includes(entry.anchor) && this.holds(entry, context, call)) {
        best = entry;
        bestOrder = entry.order;
        break;
      }
    }
    if (this.unanchored.length > 0 && this.anyUnanchored?.test(text) !== false) {
      for (let u = 0; u < this.unanchored.length; u++) {
        const entry = this.unanchored[u];
        if (entry.order >= bestOrder) break;
        if (this.holds(entry, context, call)) {
          best = entry;
          break;
        }
      }
    }
    return best;
  }

  /**
   * The rule's table applies to this reply (worked out once per table and call: no array or closure is
   * made per call), and its gates hold.
   */
  private applies(entry: CompiledRule, context: PhraseContext, call: number): boolean {
    const index = entry.tableIndex;
    if (this.scopeCall[index] !== call) {
      this.scopeCall[index] = call;
      this.scope[index] = tableApplies(entry.table, context) ? 1 : 0;
    }
    return (
      (this.scope[index] === 1 || entry.rule.anyHost === true) &&
      gatesHold(entry.rule, context) &&
      !(
        entry.table.yieldToStatus === true &&
        statusOutranks(context.status, context.statusReason, entry.rule.reason)
      )
    );
  }

  /** The rule's text is in the reply (its pattern, or its phrase's fragments in order) and it applies. */
  private holds(entry: CompiledRule, context: PhraseContext, call: number): boolean {
    if (this.missed[entry.order] === call) return false;
    const text = context.lowerText;
    const found = entry.rule.pattern
      ? entry.rule.pattern.test(text)
      : alignedIn(text, fragmentsOf(entry.rule));
    if (!found) this.missed[entry.order] = call;
    return found && this.applies(entry, context, call);
  }
}

/** The bits of a trigram key (three characters of 9 bits). */
const KEY_BITS = (1 << 27) - 1;
/** An empty slot (no trigram key is negative: 27 bits). */
const EMPTY = -1;
const NONE: Anchored[] = [];

/**
 * A key's home slot (Fibonacci hashing: its high bits, spread): Math.imul(key, 0x9e3779b1) >>> 16, multiplied
 * in two halves of the constant, each product exact as a double (key < 2^27): Maglev (email runs' tier) calls
 * a builtin for Math.imul, here once a reply character.
 */
function slotOf(key: number): number {
  return ((key * 0x79b1 + (((key * 0x9e37) & 0xffff) << 16)) | 0) >>> 16;
}

/** Three characters as one small integer (9 bits each: other characters collide, startsWith decides). */
function trigram(text: string, at: number): number {
  return (
    ((text.charCodeAt(at) & 511) << 18) |
    ((text.charCodeAt(at + 1) & 511) << 9) |
    (text.charCodeAt(at + 2) & 511)
  );
}

/** The key of every three characters of an anchor, by where they start. */
function trigramsOf(anchor: string): number[] {
  const keys: number[] = [];
  for (let at = 0; at + 3 <= anchor.length; at++) keys.push(trigram(anchor, at));
  return keys;
}

const CLASS_ESCAPES = "bBdDsSwWnrtfv0123456789";

/**
 * The longest run of literal characters every match of a pattern contains (outside groups, classes and
 * optional parts), lower case; "" when there is none (a top-level alternation, say).
 */
export function requiredLiteral(source: string): string {
  let best = "";
  let run = "";
  const end = () => {
    if (run.length > best.length) best = run;
    run = "";
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    let literal: string | null = null;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      i++;
      if (!CLASS_ESCAPES.includes(next)) literal = next;
    } else if (c === "(") {
      let depth = 1;
      while (depth > 0 && ++i < source.length) {
        if (source[i] === "\\") i++;
        else if (source[i] === "[") i = skipClass(source, i);
        else if (source[i] === "(") depth++;
        else if (source[i] === ")") depth--;
      }
    } else if (c === "[") {
      i = skipClass(source, i);
    } else if (c === "|") {
      return "";
    } else if (!".^$".includes(c)) {
      literal = c;
    }
    const quantifier = source[i + 1];
    if (literal === null) {
      end();
      if (quantifier === "?" || quantifier === "*" || quantifier === "+") i++;
      else if (quantifier === "{") i = source.indexOf("}", i);
      continue;
    }
    if (
      quantifier === "?" ||
      quantifier === "*" ||
      (quantifier === "{" && /^\{0[,}]/.test(source.slice(i + 1)))
    ) {
      end();
      i = quantifier === "{" ? source.indexOf("}", i) : i + 1;
      continue;
    }
    run += literal;
    if (quantifier === "+" || quantifier === "{") {
      end();
      i = quantifier === "+" ? i + 1 : source.indexOf("}", i);
    }
  }
  end();
  return best.toLowerCase();
}

/**
 * The words of the first group every match goes through, when each is plain text of three characters or
 * more ("(?:mailbox|mail box|inbox) …" → mailbox, mail box, inbox), lower case; null when there is none.
 */
export function requiredAlternatives(source: string): string[] | null {
  let found: string[] | null = null;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") i++;
    else if (c === "[") i = skipClass(source, i);
    else if (c === "|")
      return null; // a top-level alternative: no group is needed by every match
    else if (c === "(") {
      const end = groupEnd(source, i);
      if (end < 0) return null;
      found ??= groupWords(source, i, end);
      i = end;
    }
  }
  return found;
}

/** The plain words of the group from `start` to `end` when every match needs one of them, else null. */
function groupWords(source: string, start: number, end: number): string[] | null {
  const quantifier = source[end + 1];
  if (
    quantifier === "?" ||
    quantifier === "*" ||
    (quantifier === "{" && /^\{0[,}]/.test(source.slice(end + 1)))
  )
    return null;
  const body = source.slice(start + 1, end);
  if (/^\?[=!<]/.test(body)) return null; // a look-around (or a named group, left alone)
  const words = (body.startsWith("?:") ? body.slice(2) : body).split("|");
  if (!words.every((word) => PLAIN.test(word))) return null;
  const literals = words.map((word) => word.replace(/\\(.)/g, "$1").toLowerCase());
  return literals.every((word) => word.length >= 3) ? literals : null;
}

/** Text with no regex syntax (escaped punctuation allowed). */
const PLAIN = /^(?:[^\\()[\]{}|.*+?^$]|\\[^A-Za-z0-9])+$/;

/** Index of the ")" closing the group opened at `start`, or -1. */
function groupEnd(source: string, start: number): number {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") i++;
    else if (c === "[") i = skipClass(source, i);
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  return -1;
}

function skipClass(source: string, start: number): number {
  let i = start + 1;
  if (source[i] === "^") i++;
  if (source[i] === "]") i++;
  while (i < source.length && source[i] !== "]") {
    if (source[i] === "\\") i++;
    i++;
  }
  return i;
}
