import { patternAnchors } from "./pattern-anchors.ts";
import {
  type CompiledProviderRule,
  compileProviderRule,
  type ProviderRule,
  type RuleContext,
  ruleApplies,
} from "./provider-rule.ts";
import { EMPTY, type IndexedAnchor, KEY_BITS, slotOf, trigramSlots } from "./trigram-index.ts";

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
export class ProviderMatcher {
  private readonly rules: CompiledProviderRule[];
  /** Per rule, whether it has anchors (then it is tried only when one was found). */
  private readonly anchored: Uint8Array;
  private readonly slotKeys: Int32Array;
  private readonly slotAnchors: Anchored[][];
  private readonly slotMask: number;
  /** Anchors shorter than three characters, looked for one by one. */
  private readonly short: Anchored[] = [];
  /** Per rule, the call that last found one of its anchors in the reply. */
  private readonly found: Uint32Array;
  private call = 0;

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
    const slots = trigramSlots(indexed);
    this.slotKeys = slots.keys;
    this.slotAnchors = slots.anchors;
    this.slotMask = slots.mask;
  }

  /** The first rule (in table order) whose gates and pattern hold for this reply, or null. */
  match(context: RuleContext): ProviderRule | null {
    const text = context.lowerText;
    this.call = (this.call + 1) >>> 0 || 1;
    const call = this.call;
    const found = this.found;
    const keys = this.slotKeys;
    const mask = this.slotMask;
    const last = text.length - 2;
    // The key rolls along the reply, as in the phrase matcher's pass.
    let key = last > 0 ? ((text.charCodeAt(0) & 511) << 9) | (text.charCodeAt(1) & 511) : 0;
    for (let i = 0; i < last; i++) {
      key = ((key << 9) & KEY_BITS) | (text.charCodeAt(i + 2) & 511);
      let slot = slotOf(key) & mask;
      while (keys[slot] !== key && keys[slot] !== EMPTY) slot = (slot + 1) & mask;
      if (keys[slot] === EMPTY) continue;
      const bucket = this.slotAnchors[slot];
      for (let b = 0; b < bucket.length; b++) {
        const entry = bucket[b];
        const at = i - entry.offset;
        if (found[entry.order] !== call && at >= 0 && text.startsWith(entry.anchor, at))
          found[entry.order] = call;
      }
    }
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
}
