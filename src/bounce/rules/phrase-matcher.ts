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
import { TrigramIndex } from "./trigram-index.ts";

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
  /** The anchors of three characters or more, by their rarest three characters. */
  private readonly index: TrigramIndex<Anchored>;
  private readonly short: Anchored[] = [];
  private readonly unanchored: CompiledRule[] = [];
  private readonly anyUnanchored: RegExp | null;
  private readonly tableCount: number;
  /** Per rule, the call that last found its text missing: a rule anchored twice in a reply is tried once. */
  private readonly missed: Uint32Array;
  private call = 0;

  constructor(tables: readonly RuleTable[]) {
    this.tableCount = tables.length;
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
    this.index = new TrigramIndex(indexed);
    this.rules = rules;
    this.missed = new Uint32Array(rules.length);
    this.anyUnanchored = anyOf(this.unanchored.map((entry) => entry.rule.pattern ?? /(?!)/));
  }

  /** The first rule (in table order) that holds for this reply, or null. */
  match(context: PhraseContext): CompiledRule | null {
    const text = context.lowerText;
    const scope = new Int8Array(this.tableCount); // 0 unknown, 1 applies, -1 not
    const applies = (entry: CompiledRule): boolean => {
      const index = entry.tableIndex;
      if (scope[index] === 0) scope[index] = tableApplies(entry.table, context) ? 1 : -1;
      return (
        (scope[index] === 1 || entry.rule.anyHost === true) &&
        gatesHold(entry.rule, context) &&
        !(
          entry.table.yieldToStatus === true &&
          statusOutranks(context.status, context.statusReason, entry.rule.reason)
        )
      );
    };
    this.call = (this.call + 1) >>> 0 || 1;
    const call = this.call;
    const holds = (entry: CompiledRule): boolean => {
      if (this.missed[entry.order] === call) return false;
      const found = entry.rule.pattern
        ? entry.rule.pattern.test(text)
        : alignedIn(text, fragmentsOf(entry.rule));
      if (!found) this.missed[entry.order] = call;
      return found && applies(entry);
    };
    let best: CompiledRule | null = null;
    let bestOrder = Number.POSITIVE_INFINITY;
    const last = text.length - 2;
    const index = this.index;
    for (let i = 0; i < last; i++) {
      const bucket = index.bucketAt(text, i);
      // Index loops: for-of allocates an iterator per loop in Maglev-compiled code (email runs' tier).
      for (let b = 0; b < bucket.length; b++) {
        const entry = bucket[b];
        if (entry.order >= bestOrder) break;
        const at = i - entry.offset;
        if (at < 0 || !text.startsWith(entry.anchor, at)) continue;
        if (entry.verify ? !holds(entry) : !applies(entry)) continue;
        best = entry;
        bestOrder = entry.order;
        break;
      }
    }
    for (let s = 0; s < this.short.length; s++) {
      const entry = this.short[s];
      if (entry.order >= bestOrder) break;
      if (text.includes(entry.anchor) && holds(entry)) {
        best = entry;
        bestOrder = entry.order;
        break;
      }
    }
    if (this.unanchored.length > 0 && this.anyUnanchored?.test(text) !== false) {
      for (let u = 0; u < this.unanchored.length; u++) {
        const entry = this.unanchored[u];
        if (entry.order >= bestOrder) break;
        if (holds(entry)) {
          best = entry;
          break;
        }
      }
    }
    return best;
  }
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
