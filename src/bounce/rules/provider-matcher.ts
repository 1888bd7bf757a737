import { patternAnchors } from "./pattern-anchors.ts";
import {
  type CompiledProviderRule,
  compileProviderRule,
  type ProviderRule,
  type RuleContext,
  ruleApplies,
} from "./provider-rule.ts";
import {
  type AnchorVisitor,
  type IndexedAnchor,
  type TrigramSlots,
  trigramSlots,
  visitAnchors,
} from "./trigram-index.ts";

interface Anchored extends IndexedAnchor {
  /** The rule's place in the table. */
  order: number;
}

/**
 * The ordered provider rule table compiled once: the answer is the first rule whose gates and pattern hold,
 * as if every rule were tried in turn, but a rule's pattern is run only when one of its anchors (text every
 * match contains: pattern-anchors.ts) is in the reply. One pass over the reply finds the anchors there, by
 * the index the phrase matcher uses (trigram-index.ts); a rule with no anchor (its pattern matches any text,
 * or none is known) is tried on every reply.
 */
export class ProviderMatcher implements AnchorVisitor<Anchored> {
  private readonly rules: CompiledProviderRule[];
  /** Per rule, whether it has anchors (then it is tried only when one was found). */
  private readonly anchored: Uint8Array;
  private readonly slots: TrigramSlots<Anchored>;
  /** Anchors shorter than three characters, looked for one by one. */
  private readonly short: Anchored[] = [];
  /** Per rule, the call that last found one of its anchors in the reply. */
  private readonly found: Uint32Array;
  private call = 0;
  /** The reply of the current call. */
  private text = "";

  constructor(table: readonly ProviderRule[]) {
    this.rules = table.map(compileProviderRule);
    this.anchored = new Uint8Array(table.length);
    this.found = new Uint32Array(table.length);
    const indexed: Anchored[] = [];
    for (let order = 0; order < table.length; order++) {
      const anchors = patternAnchors(table[order].pattern);
      if (anchors.length === 0 || anchors[0].length === 0) continue;
      this.anchored[order] = 1;
      for (const anchor of anchors) {
        if (anchor.length < 3) this.short.push({ anchor, offset: 0, order });
        else indexed.push({ anchor, offset: 0, order });
      }
    }
    this.slots = trigramSlots(indexed);
  }

  /** The first rule (in table order) whose gates and pattern hold for this reply, or null. */
  match(context: RuleContext): ProviderRule | null {
    const text = context.lowerText;
    this.call = (this.call + 1) >>> 0 || 1;
    const call = this.call;
    const found = this.found;
    this.text = text;
    visitAnchors(this.slots, text, this);
    for (let s = 0; s < this.short.length; s++) {
      const entry = this.short[s];
      if (found[entry.order] !== call && text.includes(entry.anchor)) found[entry.order] = call;
    }
    const rules = this.rules;
    for (let r = 0; r < rules.length; r++) {
      if (this.anchored[r] === 1 && found[r] !== call) continue;
      if (ruleApplies(rules[r], context)) return rules[r].rule;
    }
    return null;
  }

  /** One step of the pass: marks the rules whose anchor is at `at` (public only for visitAnchors). */
  visit(anchors: readonly Anchored[], at: number): void {
    const found = this.found;
    const call = this.call;
    for (let b = 0; b < anchors.length; b++) {
      const entry = anchors[b];
      const start = at - entry.offset;
      if (found[entry.order] !== call && start >= 0 && this.text.startsWith(entry.anchor, start))
        found[entry.order] = call;
    }
  }
}
