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
  /** Whether the anchor alone does not prove the match (more fragments, or a pattern). */
  verify: boolean;
}

/**
 * Ordered tables compiled once into one matcher: the answer is the first rule in table order whose text
 * and gates hold, as if every rule were tried in turn, but the reply is read once. Every rule has an
 * anchor (a phrase's longest fragment, or a literal run every match of a pattern contains) indexed by its
 * first three characters; one pass over the reply looks up each position and tries only the rules anchored
 * there, in order, stopping at the best order found so far. A pattern is run only where its anchor occurs;
 * the few patterns without a literal run share one combined prefilter.
 */
export class PhraseMatcher {
  readonly rules: readonly CompiledRule[];
  private readonly byTrigram = new Map<number, Anchored[]>();
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
    for (const [tableIndex, table] of tables.entries()) {
      for (const rule of table.rules) {
        const compiled: CompiledRule = { order: rules.length, tableIndex, table, rule };
        rules.push(compiled);
        const fragments = fragmentsOf(rule);
        const anchor = rule.pattern
          ? requiredLiteral(rule.pattern.source)
          : fragments.reduce((a, b) => (b.length > a.length ? b : a), "");
        if (anchor.length === 0) {
          if (!rule.pattern) throw new Error(`rule ${rule.id}: no phrase and no pattern`);
          this.unanchored.push(compiled);
          continue;
        }
        const anchored: Anchored = {
          ...compiled,
          anchor,
          verify: rule.pattern !== undefined || fragments.length > 1,
        };
        if (anchor.length < 3) {
          this.short.push(anchored);
          continue;
        }
        const key = trigram(anchor, 0);
        const bucket = this.byTrigram.get(key);
        if (bucket) bucket.push(anchored);
        else this.byTrigram.set(key, [anchored]);
      }
    }
    this.rules = rules;
    this.missed = new Uint32Array(rules.length);
    this.anyUnanchored =
      this.unanchored.length === 0
        ? null
        : new RegExp(this.unanchored.map((entry) => `(?:${entry.rule.pattern?.source})`).join("|"));
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
    for (let i = 0; i < last; i++) {
      const bucket = this.byTrigram.get(trigram(text, i));
      if (bucket === undefined) continue;
      // Index loops: for-of allocates an iterator per loop in Maglev-compiled code (email runs' tier).
      for (let b = 0; b < bucket.length; b++) {
        const entry = bucket[b];
        if (entry.order >= bestOrder) break;
        if (!text.startsWith(entry.anchor, i)) continue;
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
    if (this.anyUnanchored?.test(text)) {
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

/** Three characters as one small integer (9 bits each: other characters collide, startsWith decides). */
function trigram(text: string, at: number): number {
  return (
    ((text.charCodeAt(at) & 511) << 18) |
    ((text.charCodeAt(at + 1) & 511) << 9) |
    (text.charCodeAt(at + 2) & 511)
  );
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
