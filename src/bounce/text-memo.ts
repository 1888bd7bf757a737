import { detach } from "../util/detach.ts";

/**
 * Values worked out from a text, kept by the text for texts that repeat (a folder of bounces repeats its
 * diagnostics: one MTA's reply to many recipients, one sender's campaign). Bounded: started afresh once full;
 * texts longer than `longest` (rare, often hostile) are not kept. Kept texts are copies: a diagnostic is a
 * slice of its whole message, which the memo would otherwise keep alive.
 */
export class TextMemo<T> {
  private readonly kept = new Map<string, T>();
  private readonly entries: number;
  private readonly longest: number;

  constructor(entries: number, longest: number) {
    this.entries = entries;
    this.longest = longest;
  }

  get(text: string): T | undefined {
    return this.kept.get(text);
  }

  set(text: string, value: T): void {
    if (text.length <= this.longest) this.setOwn(detach(text), value);
  }

  /** set, for a text that is a string of its own already (detach: not a slice of a larger one). */
  setOwn(text: string, value: T): void {
    if (text.length > this.longest) return;
    if (this.kept.size >= this.entries) this.kept.clear();
    this.kept.set(text, value);
  }
}
