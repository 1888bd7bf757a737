import { detach } from "./values.ts";

/**
 * A map whose entries are forgotten by age (in the input's own time, not the wall clock) and by count,
 * in O(1) amortised per operation: log readers keep per-message state in it when the lines that would
 * free that state (Postfix `removed`, Exim `Completed`) may never come (a grep'd log, a cut log).
 *
 * Entries are filed in generations (a new one every `maxEntries / 8` writes or `maxAgeMs / 8` of input
 * time). A generation goes as a whole once its newest write is older than `maxAgeMs` — so an entry
 * lives at least `maxAgeMs` after its last write — or, oldest first, while the map holds more than
 * `maxEntries`. No iteration of the Map itself: deleting from the front of a large JS Map and asking for
 * its first key again is quadratic (deleted slots stay until the table is rebuilt).
 */

interface Slot<V> {
  /** The key as first stored (a copy: callers' keys may be slices of a big input chunk). */
  key: string;
  value: V;
  generation: number;
}

interface Generation {
  id: number;
  keys: string[];
  oldest: number;
  newest: number;
}

const SLICES = 8;

export class AgedMap<V> {
  private readonly map = new Map<string, Slot<V>>();
  private readonly generations: Generation[] = [];
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;
  private nextId = 0;
  /** Keys filed in all generations (an entry written in several generations is filed in each). */
  private filed = 0;
  /** Entries forgotten because they grew older than `maxAgeMs`. */
  evictedByAge = 0;
  /** Entries forgotten younger than `maxAgeMs`, because the map was full. */
  evictedByCount = 0;
  /** Called for each entry forgotten (not for `delete`). */
  private readonly onEvict: ((value: V, byCount: boolean) => void) | null;

  constructor(maxAgeMs: number, maxEntries: number, onEvict?: (value: V, byCount: boolean) => void) {
    this.maxAgeMs = maxAgeMs;
    this.maxEntries = maxEntries;
    this.onEvict = onEvict ?? null;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  /** Stores (or refreshes) `key` as written at input time `timeMs` (NaN: the latest time seen). */
  set(key: string, value: V, timeMs: number): void {
    const slot = this.map.get(key);
    if (slot) {
      slot.value = value;
      this.refresh(slot, timeMs);
      return;
    }
    const generation = this.current(timeMs);
    // A copy: a key sliced from a line would keep the whole decoded input chunk alive.
    const kept = detach(key);
    // `generation` written twice: V8 takes a field written only where its object is made for a constant,
    // and throws away the code optimized on that at the first later write (refresh, long into a run).
    const added = { key: kept, value, generation: -1 };
    added.generation = generation.id;
    this.map.set(kept, added);
    this.file(kept, generation, timeMs);
  }

  /** Marks `key` written at `timeMs` (its age starts again); false when it is not there. */
  touch(key: string, timeMs: number): boolean {
    const slot = this.map.get(key);
    if (!slot) return false;
    this.refresh(slot, timeMs);
    return true;
  }

  /** An entry written again at `timeMs`: filed in the current generation (found by one lookup, in the caller). */
  private refresh(slot: Slot<V>, timeMs: number): void {
    const generation = this.current(timeMs);
    if (slot.generation === generation.id) return;
    slot.generation = generation.id;
    this.file(slot.key, generation, timeMs);
  }

  private file(key: string, generation: Generation, timeMs: number): void {
    generation.keys.push(key);
    this.filed++;
    this.evict(timeMs);
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  /** The input's time moved on to `timeMs`: forget what grew too old (reads alone never do). */
  advance(timeMs: number): void {
    const generations = this.generations;
    if (generations.length > 1 && generations[0].newest + this.maxAgeMs < timeMs) this.evict(timeMs);
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.generations.length = 0;
    this.filed = 0;
  }

  private current(timeMs: number): Generation {
    const generations = this.generations;
    let last = generations[generations.length - 1];
    const time = Number.isFinite(timeMs) ? timeMs : (last?.newest ?? 0);
    if (
      !last ||
      last.keys.length >= Math.max(1, Math.floor(this.maxEntries / SLICES)) ||
      time - last.oldest >= this.maxAgeMs / SLICES
    ) {
      last = { id: this.nextId++, keys: [], oldest: time, newest: time };
      generations.push(last);
    }
    if (time > last.newest) last.newest = time;
    if (time < last.oldest) last.oldest = time;
    return last;
  }

  private evict(timeMs: number): void {
    const generations = this.generations;
    const now = Number.isFinite(timeMs) ? timeMs : generations[generations.length - 1].newest;
    while (generations.length > 1) {
      const oldest = generations[0];
      const aged = oldest.newest + this.maxAgeMs < now;
      // Entries rewritten many times are filed many times: the filing is bounded too.
      if (!aged && this.map.size <= this.maxEntries && this.filed <= 4 * this.maxEntries) return;
      generations.shift();
      this.filed -= oldest.keys.length;
      for (const key of oldest.keys) {
        const slot = this.map.get(key);
        if (slot === undefined || slot.generation !== oldest.id) continue;
        this.map.delete(key);
        if (aged) this.evictedByAge++;
        else this.evictedByCount++;
        this.onEvict?.(slot.value, !aged);
      }
    }
  }
}
