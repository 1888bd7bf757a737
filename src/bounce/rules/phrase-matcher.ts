import { anyOf } from "./any-of.ts";
import { patternAnchors } from "./pattern-anchors.ts";
import {
  alignedIn,
  fragmentsOf,
  gatesHold,
  linkedHosts,
  type PhraseContext,
  type PhraseRule,
  phraseForm,
  type RuleTable,
  statusOutranks,
  tableApplies,
} from "./phrase-rule.ts";
import { type AnchorVisitor, type TrigramSlots, trigramSlots, visitAnchors } from "./trigram-index.ts";

/** A rule placed in the compiled order. */
export interface CompiledRule {
  order: number;
  /** Index of the table in the matcher's list. */
  tableIndex: number;
  table: RuleTable;
  rule: PhraseRule;
  /**
   * The rule and its table as the matcher reads them: copies with every optional field present, in one
   * order (the tables' rules are written with 14 different sets of fields, which made each read of one a
   * megamorphic load).
   */
  shapedRule: PhraseRule;
  shapedTable: RuleTable;
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
 * so a reply's common words would each try them all: trigram-index.ts); one pass over the reply looks up
 * each position and tries only the rules indexed there, in order, stopping at the best order found so far.
 * A pattern is run only where one of its anchors occurs; the few patterns without one share one combined
 * prefilter.
 */
export class PhraseMatcher implements AnchorVisitor<Anchored> {
  readonly rules: readonly CompiledRule[];
  private readonly slots: TrigramSlots<Anchored>;
  private readonly short: Anchored[] = [];
  private readonly unanchored: CompiledRule[] = [];
  private readonly anyUnanchored: RegExp | null;
  /** Per rule, the call that last found its text missing: a rule anchored twice in a reply is tried once. */
  private readonly missed: Uint32Array;
  private call = 0;
  /** Per table, the call its scope was last worked out in, and whether it applied then (1) or not (0). */
  private readonly scopeCall: Uint32Array;
  private readonly scope: Uint8Array;
  /**
   * The current call's reply, that reply in phraseForm (phrases and anchors are read in it, patterns in the
   * reply), the hosts its links name, and the best rule its pass found so far (visit reads and sets them).
   */
  private context: PhraseContext = NO_REPLY;
  private text = "";
  private linked: readonly string[] = [];
  private best: CompiledRule | null = null;
  private bestOrder = Number.POSITIVE_INFINITY;

  constructor(tables: readonly RuleTable[]) {
    const rules: CompiledRule[] = [];
    const indexed: Anchored[] = [];
    for (const [tableIndex, table] of tables.entries()) {
      const shapedTable = oneShapeTable(table);
      for (const rule of table.rules) {
        const compiled: CompiledRule = {
          order: rules.length,
          tableIndex,
          table,
          rule,
          shapedRule: oneShapeRule(rule),
          shapedTable,
        };
        rules.push(compiled);
        const fragments = fragmentsOf(compiled.shapedRule);
        // A pattern with no literal run of three may still need one of a group's words ("(?:mailbox|inbox) is
        // full"): it is indexed under each (a reply holding two of them tries it once: `missed`).
        // In phraseForm, as the reply is read: a pattern's literal run there holds wherever the pattern does.
        const anchors = rule.pattern
          ? patternAnchors(rule.pattern).map(phraseForm)
          : [fragments.reduce((a, b) => (b.length > a.length ? b : a), "")];
        if (anchors.length === 0 || anchors[0].length === 0) {
          if (!rule.pattern) throw new Error(`rule ${rule.id}: no phrase and no pattern`);
          this.unanchored.push(compiled);
          continue;
        }
        for (const anchor of anchors) {
          const anchored: Anchored = {
            ...compiled,
            anchor,
            offset: 0,
            verify: rule.pattern !== undefined || fragments.length > 1 || rule.word === true,
          };
          if (anchor.length < 3) this.short.push(anchored);
          else indexed.push(anchored);
        }
      }
    }
    // In rule order, so each slot's anchors stay in table order.
    this.slots = trigramSlots(indexed);
    this.rules = rules;
    this.missed = new Uint32Array(rules.length);
    this.scopeCall = new Uint32Array(tables.length);
    this.scope = new Uint8Array(tables.length);
    this.anyUnanchored = anyOf(this.unanchored.map((entry) => entry.rule.pattern ?? /(?!)/));
  }

  /**
   * The first entry in table order whose text and gates hold, or null. An unlisted entry (PhraseRule.unlisted)
   * reads the reply outside links, addresses and scanners' banners: a word in "<bob@residential.example>",
   * "https://example.org/spam" (review R44) or "checked for viruses and malware by …" is no verdict.
   */
  match(context: PhraseContext): CompiledRule | null {
    const linked = linkedHosts(context.lowerText);
    const best = this.matchIn(context, linked);
    if (best === null || best.shapedRule.unlisted !== true) return best;
    const plain = outsideLinksAndAddresses(withoutBanners(context.lowerText));
    return plain === context.lowerText ? best : this.matchIn({ ...context, lowerText: plain }, linked);
  }

  private matchIn(context: PhraseContext, linked: readonly string[]): CompiledRule | null {
    const text = phraseForm(context.lowerText);
    this.call = (this.call + 1) >>> 0 || 1;
    const call = this.call;
    this.context = context;
    this.text = text;
    this.linked = linked;
    this.best = null;
    this.bestOrder = Number.POSITIVE_INFINITY;
    visitAnchors(this.slots, text, this);
    let best: CompiledRule | null = this.best;
    let bestOrder = this.bestOrder;
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
   * One step of the pass (public only for visitAnchors): the anchors indexed at `at` tried in order, up to
   * the best order found so far.
   */
  visit(anchors: readonly Anchored[], at: number): void {
    const context = this.context;
    const text = this.text;
    const call = this.call;
    // An index loop: for-of allocates an iterator per loop in Maglev-compiled code (email runs' tier).
    for (let b = 0; b < anchors.length; b++) {
      const entry = anchors[b];
      if (entry.order >= this.bestOrder) return;
      const start = at - entry.offset;
      if (start < 0 || !text.startsWith(entry.anchor, start)) continue;
      if (entry.verify ? !this.holds(entry, context, call) : !this.applies(entry, context, call)) continue;
      this.best = entry;
      this.bestOrder = entry.order;
      return;
    }
  }

  /**
   * The rule's table applies to this reply (worked out once per table and call: no array or closure is
   * made per call), and its gates hold.
   */
  private applies(entry: CompiledRule, context: PhraseContext, call: number): boolean {
    const index = entry.tableIndex;
    const rule = entry.shapedRule;
    if (this.scopeCall[index] !== call) {
      this.scopeCall[index] = call;
      this.scope[index] = tableApplies(entry.shapedTable, context, this.linked) ? 1 : 0;
    }
    return (
      (this.scope[index] === 1 || rule.anyHost === true) &&
      gatesHold(rule, context) &&
      !(
        entry.shapedTable.yieldToStatus === true &&
        statusOutranks(context.status, context.statusReason, rule.reason, rule.giveUp === true)
      )
    );
  }

  /** The rule's text is in the reply (its pattern, or its phrase's fragments in order) and it applies. */
  private holds(entry: CompiledRule, context: PhraseContext, call: number): boolean {
    if (this.missed[entry.order] === call) return false;
    const rule = entry.shapedRule;
    const found = rule.pattern
      ? rule.pattern.test(context.lowerText)
      : alignedIn(this.text, fragmentsOf(rule), rule.word === true);
    if (!found) this.missed[entry.order] = call;
    return found && this.applies(entry, context, call);
  }
}

/**
 * Every field of a rule, none set: spread first, it gives every copy the same fields in the same order (and
 * a field added to PhraseRule fails the type check here until it is listed).
 */
const RULE_FIELDS: { [K in keyof Required<PhraseRule>]: undefined } = {
  id: undefined,
  reason: undefined,
  phrase: undefined,
  pattern: undefined,
  status: undefined,
  reply: undefined,
  notPermanent: undefined,
  yieldsToStatus: undefined,
  giveUp: undefined,
  unlisted: undefined,
  suppress: undefined,
  anyHost: undefined,
  word: undefined,
  source: undefined,
  example: undefined,
  exampleSource: undefined,
  note: undefined,
};
const TABLE_FIELDS: { [K in keyof Required<RuleTable>]: undefined } = {
  id: undefined,
  hosts: undefined,
  providers: undefined,
  yieldToStatus: undefined,
  source: undefined,
  rules: undefined,
};

/**
 * A copy of the rule with every field of PhraseRule present (undefined where it has none), in one order, its
 * phrase in phraseForm (as the reply is read).
 */
const oneShapeRule = (rule: PhraseRule): PhraseRule => ({
  ...RULE_FIELDS,
  ...rule,
  phrase: rule.phrase === undefined ? undefined : fragmentsOf(rule).map(phraseForm),
});
/** A copy of the table with every field of RuleTable present, in one order. */
const oneShapeTable = (table: RuleTable): RuleTable => ({ ...TABLE_FIELDS, ...table });

const NO_REPLY: PhraseContext = {
  lowerText: "",
  status: null,
  replyCode: null,
  provider: "unknown",
  statusReason: null,
  remoteHost: null,
  reportingHost: null,
  recipientDomain: null,
};

const LINK = /\b(?:https?:\/\/|www\.)\S+/g;

/** The reply with its links (http://…, www.…) blanked. */
export function withoutLinks(text: string): string {
  return text.includes("http") || text.includes("www.") ? text.replace(LINK, " ") : text;
}

/**
 * A scanner's banner or footer: an all-clear sentence ("Virus free.", "No virus found in this message", "…
 * and is believed to be clean."), or, in a sentence that names no finding, the clause saying the message was
 * scanned, checked, swept, screened or protected for or by something ("This email has been checked for viruses
 * by Avast antivirus software."). Only that clause is a banner: what the sentence says after it ("Protected by
 * SpamTitan: message is spam") or without it ("checked and looks like spam") is the receiver's verdict (review
 * R77). A sentence that names a finding ("scanned and found to contain spam") has no banner.
 */
const SCAN_VERB = "(?:scanned|checked|swept|screened|protected)";
const BANNER_SCAN = new RegExp(`\\b${SCAN_VERB}\\b`);
/** The clause: scan verb, "for"/"by"/"with"/"against"/"using", up to a ":" or ";", "and is/was/looks…" or the end. */
const BANNER_CLAUSE = new RegExp(
  `\\b${SCAN_VERB}\\s+(?:for|by|with|against|using)\\b[^:;]*?(?=[:;]|\\band (?:is|was|looks|seems|appears)\\b|$)`,
  "g",
);
const BANNER_ALL_CLEAR =
  /\bbelieved to be clean\b|\bvirus[ -]?free\b|\bfree (?:of|from) (?:viruses|malware)\b|\bno (?:[a-z]+ ){0,2}(?:viruses?|malware|threats?|infections?)\b[^.!?]{0,40}\b(?:found|detected)\b|\bno infected\b/;
const BANNER_FINDING =
  /\b(?:found|detected|identified|contain(?:s|ed|ing)?|infected|reject(?:s|ed)?|refused|blocked|denied|quarantined|suspected|classified|considered|marked)\b/;
/** Cheap test before the text is split: a word every banner has. */
const BANNER_WORD = /scanned|checked|swept|screened|protected|clean|free|no /;
/** A sentence ends at ".", "!" or "?" before a blank or the end ("5.1.1" and "example.org" go on). */
const SENTENCE_END = /[.!?](?=\s|$)/g;

/** The reply with each scanner's banner (BANNER_*) blanked: an all-clear sentence whole, a scan clause alone. */
export function withoutBanners(text: string): string {
  if (!BANNER_WORD.test(text)) return text;
  let out = "";
  let from = 0;
  SENTENCE_END.lastIndex = 0;
  while (from < text.length) {
    const end = SENTENCE_END.exec(text);
    const to = end === null ? text.length : end.index + 1;
    const sentence = text.slice(from, to);
    if (BANNER_ALL_CLEAR.test(sentence)) out += " ";
    else if (BANNER_SCAN.test(sentence) && !BANNER_FINDING.test(sentence))
      out += sentence.replace(BANNER_CLAUSE, " ");
    else out += sentence;
    from = to;
    if (end === null) break;
  }
  return out;
}

/** Characters that end an address's local part or domain on either side of its "@". */
const ADDRESS_ENDS = new Set([" ", "\t", "\n", "\r", "<", ">", "(", ")", "[", "]", '"', "'", ",", ";", ":"]);

/**
 * The reply with its links and addresses (local@domain) blanked: what a receiver wrote about the message, not
 * the names it quotes. Linear: each "@" is widened once to the characters that end an address (no pattern
 * that could backtrack over a long run).
 */
export function outsideLinksAndAddresses(text: string): string {
  const unlinked = withoutLinks(text);
  let at = unlinked.indexOf("@");
  if (at < 0) return unlinked;
  let out = "";
  let from = 0;
  while (at >= 0) {
    let start = at;
    while (start > from && !ADDRESS_ENDS.has(unlinked[start - 1])) start--;
    let end = at + 1;
    while (end < unlinked.length && !ADDRESS_ENDS.has(unlinked[end])) end++;
    out += `${unlinked.slice(from, start)} `;
    from = end;
    at = unlinked.indexOf("@", end);
  }
  return out + unlinked.slice(from);
}
