import { bytesEqualText } from "./byte-scan.ts";
import { idHash } from "./source.ts";
import { detach } from "./values.ts";

/**
 * Tables whose entries are forgotten by age (in the input's own time, not the wall clock) and by count,
 * in O(1) amortised per operation: log readers keep per-message state in them when the lines that would
 * free that state (Postfix `removed`, Exim `Completed`) may never come (a grep'd log, a cut log).
 *
 * An AgedTable holds one index of keys and several lists, each with its own age and count bound (Postfix
 * keeps queue ids with deferred recipients for days, the others for one day). Within a list, entries are
 * filed in generations (a new one every `maxEntries / 8` writes or `maxAgeMs / 8` of input time). A
 * generation goes as a whole once its newest write is older than `maxAgeMs` — so an entry lives at least
 * `maxAgeMs` after its last write — or, oldest first, while the list holds more than `maxEntries`.
 *
 * The index is keyed by the caller's 32-bit hash of the key (the FNV hash a log reader computes over a
 * line's id anyway): an open-addressing table of typed arrays, slot → entry number, the key's characters
 * compared on a hash hit. A line's id is looked up on its bytes or its text without making a string; a
 * string is kept per entry (made once, when the entry is added). A slot holds the hash next to the entry
 * number: a probe reads one place per slot (16-bit tags in a separate array, the entry only on a tag
 * match, cost 1 % more instructions at 1M grep'd lines, valgrind). Before the slots, a filter of one bit per
 * 1/65,536th of the (mixed) hashes answers most keys not there: a log's reader looks up every delivery's id
 * and finds few (a grep'd log's state is its deferrals), and the slots, a few hundred KB read at random
 * while megabytes of chunks stream through the cache, missed it at every lookup (findBytes 6 % of a 4M-line
 * classify's samples, perf).
 */

/** An entry number that is no entry (what find gives for a key not there). */
export const NONE = -1;

interface Generation {
  id: number;
  /** Entry numbers filed here (an entry written in several generations is filed in each). */
  entries: number[];
  oldest: number;
  newest: number;
}

/** One list's age and count bound (see AgedTable). */
export interface AgedList {
  maxAgeMs: number;
  maxEntries: number;
}

const SLICES = 8;
const FIRST_SLOTS = 1024;
/** The filter's bits (a power of two; 8 KB) and how many removals past the table's size make it anew. */
const FILTER_SHIFT = 16;
const FILTER_BITS = 1 << FILTER_SHIFT;
const FILTER_SLACK = 64;
const FIRST_ENTRIES = 256;

/** The generations of one list. */
class Ages {
  readonly generations: Generation[] = [];
  readonly maxAgeMs: number;
  readonly maxEntries: number;
  /** Entries filed in all generations. */
  filed = 0;
  size = 0;
  /** Its place in AgedTable's lists (what onEvict is told). */
  readonly index: number;

  constructor(list: AgedList, index: number) {
    this.index = index;
    this.maxAgeMs = list.maxAgeMs;
    this.maxEntries = list.maxEntries;
  }
}

/** Ints per index slot: the key's hash and its entry number + 1 (0: an empty slot). */
const SLOT_INTS = 2;

/** Sets the filter's bit of the mixed hash `m` (its high bits: the slot takes the low ones). */
function markFilter(bits: Int32Array, m: number): void {
  const bit = m >>> (32 - FILTER_SHIFT);
  bits[bit >>> 5] |= 1 << (bit & 31);
}

/** Whether the filter's bit of the mixed hash `m` is set. */
function inFilter(bits: Int32Array, m: number): boolean {
  const bit = m >>> (32 - FILTER_SHIFT);
  return (bits[bit >>> 5] & (1 << (bit & 31))) !== 0;
}

/** The index slot a hash starts probing at: mixed (shards take the hash's high bits, the slot its low ones). */
function mixed(hash: number): number {
  let h = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * What a table holds until its first add (see AgedTable.own): arrays of no entry, shared and never written — a
 * reader of a small input (a test's few lines, a folder's small logs) keeps no state, and its table's arrays
 * (some 30 KB, several typed arrays) were most of making its parser.
 */
const NO_FILTER = new Int32Array(FILTER_BITS / 32);
const NO_INTS = new Int32Array(0);
const NO_BYTES = new Uint8Array(0);

export class AgedTable<V> {
  private slots = NO_INTS;
  private mask = FIRST_SLOTS - 1;
  private used = 0;
  /**
   * A bit per FILTER_BITS-th of the mixed hashes, set for each hash indexed since it was last made from the
   * slots (a removal clears no bit: it may be another key's): clear, no key of such a hash is there. Made
   * anew once the removals since outnumber the keys (plus FILTER_SLACK), so at most about half its set bits
   * are stale.
   */
  private filter = NO_FILTER;
  private removed = 0;
  /** Per entry number: the key's hash, the key, the value, its list and its generation's id (-1: free). */
  private hashes = NO_INTS;
  private generationOf = NO_INTS;
  private listOf = NO_BYTES;
  private readonly keys: string[] = [];
  private readonly values: (V | undefined)[] = [];
  /** Entry numbers free for reuse, and the first never used. */
  private readonly free: number[] = [];
  private unused = 0;
  private readonly lists: Ages[];
  /** Generation ids, unique across the lists: an entry filed in one list and moved is not found filed in the other. */
  private nextId = 0;
  /** Entries forgotten because they grew older than their list's `maxAgeMs`. */
  evictedByAge = 0;
  /** Entries forgotten younger than `maxAgeMs`, because their list was full. */
  evictedByCount = 0;
  /** Called for each entry forgotten (not for `remove`). */
  private readonly onEvict: ((value: V, list: number, byCount: boolean) => void) | null;
  /** The index slots and entries its arrays are made for at its first add. */
  private readonly first: { slots: number; entries: number };

  /** `first`: the index slots and entries made room for at first (a power of two; more as needed). */
  constructor(
    lists: readonly AgedList[],
    onEvict?: (value: V, list: number, byCount: boolean) => void,
    first = { slots: FIRST_SLOTS, entries: FIRST_ENTRIES },
  ) {
    warmUp();
    this.lists = lists.map((list, index) => new Ages(list, index));
    this.onEvict = onEvict ?? null;
    this.first = first;
    this.mask = first.slots - 1;
  }

  /**
   * Its own arrays, made at its first add (until then it holds the shared empty ones: no key is found, the
   * filter being clear). Their fields are written after the object is made: V8 takes a field written only
   * where its object is made for a constant, and throws away the code optimized on that when the table grows.
   */
  private own(): void {
    const first = this.first;
    this.slots = new Int32Array(first.slots * SLOT_INTS);
    this.mask = first.slots - 1;
    this.filter = new Int32Array(FILTER_BITS / 32);
    this.hashes = new Int32Array(first.entries);
    this.generationOf = new Int32Array(first.entries).fill(-1);
    this.listOf = new Uint8Array(first.entries);
  }

  /** The entries of list `list`. */
  size(list: number): number {
    return this.lists[list].size;
  }

  /** The entry of the key whose characters are bytes [start, end) (ASCII) and whose hash is `hash`, or NONE. */
  findBytes(hash: number, bytes: Uint8Array, start: number, end: number): number {
    for (let i = this.candidate(hash, -1); i >= 0; i = this.candidate(hash, i)) {
      const entry = this.slots[i * SLOT_INTS + 1] - 1;
      const key = this.keys[entry];
      if (key.length === end - start && bytesEqualText(bytes, start, key)) return entry;
    }
    return NONE;
  }

  /** `findBytes` of the characters text[start, end). */
  findText(hash: number, text: string, start: number, end: number): number {
    for (let i = this.candidate(hash, -1); i >= 0; i = this.candidate(hash, i)) {
      const entry = this.slots[i * SLOT_INTS + 1] - 1;
      const key = this.keys[entry];
      if (key.length === end - start && text.startsWith(key, start)) return entry;
    }
    return NONE;
  }

  /**
   * The next index slot on `hash`'s probe (after slot `after`; -1: from its start) holding an entry of
   * that hash, or -1 at an empty slot (the key is not there).
   */
  private candidate(hash: number, after: number): number {
    const { slots, mask } = this;
    let i: number;
    if (after < 0) {
      const m = mixed(hash);
      if (!inFilter(this.filter, m)) return -1;
      i = m & mask;
    } else i = (after + 1) & mask;
    for (; ; i = (i + 1) & mask) {
      if (slots[i * SLOT_INTS + 1] === 0) return -1;
      if (slots[i * SLOT_INTS] === hash) return i;
    }
  }

  value(entry: number): V {
    return this.values[entry] as V;
  }

  replace(entry: number, value: V): void {
    this.values[entry] = value;
  }

  key(entry: number): string {
    return this.keys[entry];
  }

  list(entry: number): number {
    return this.listOf[entry];
  }

  /**
   * Adds `key` (not there; a string holding no bigger input: it is kept) with its hash to list `list`,
   * written at input time `timeMs` (NaN: the latest time seen): its entry number.
   */
  add(hash: number, key: string, value: V, list: number, timeMs: number): number {
    if (this.filter === NO_FILTER) this.own();
    const ages = this.lists[list];
    const generation = this.current(ages, timeMs);
    const entry = this.newEntry();
    this.hashes[entry] = hash;
    this.keys[entry] = key;
    this.values[entry] = value;
    this.listOf[entry] = list;
    this.generationOf[entry] = generation.id;
    this.index(hash, entry);
    ages.size++;
    this.file(ages, entry, generation, timeMs);
    return entry;
  }

  /** Marks the entry written at `timeMs` (its age starts again). */
  touch(entry: number, timeMs: number): void {
    const ages = this.lists[this.listOf[entry]];
    const generation = this.current(ages, timeMs);
    if (this.generationOf[entry] === generation.id) return;
    this.generationOf[entry] = generation.id;
    this.file(ages, entry, generation, timeMs);
  }

  /** Moves the entry to list `list` as newly added there at `timeMs`: its (new) entry number. */
  move(entry: number, list: number, timeMs: number): number {
    const hash = this.hashes[entry];
    const key = this.keys[entry];
    const value = this.values[entry] as V;
    this.remove(entry);
    return this.add(hash, key, value, list, timeMs);
  }

  /** Forgets the entry (not counted as evicted). */
  remove(entry: number): void {
    this.unindex(entry);
    this.lists[this.listOf[entry]].size--;
    this.generationOf[entry] = -1;
    this.keys[entry] = "";
    this.values[entry] = undefined;
    this.free.push(entry);
  }

  /** The input's time moved on to `timeMs`: forget what grew too old (reads alone never do). */
  advance(timeMs: number): void {
    for (const ages of this.lists) {
      const generations = ages.generations;
      if (generations.length > 1 && generations[0].newest + ages.maxAgeMs < timeMs) this.evict(ages, timeMs);
    }
  }

  clear(): void {
    // Never added to: nothing to clear (and the shared arrays are never written).
    if (this.filter === NO_FILTER) return;
    this.slots.fill(0);
    this.used = 0;
    this.filter.fill(0);
    this.removed = 0;
    this.generationOf.fill(-1);
    this.keys.length = 0;
    this.values.length = 0;
    this.free.length = 0;
    this.unused = 0;
    for (const ages of this.lists) {
      ages.generations.length = 0;
      ages.filed = 0;
      ages.size = 0;
    }
  }

  private newEntry(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const entry = this.unused++;
    if (entry === this.hashes.length) {
      const length = entry * 2;
      this.hashes = grown(this.hashes, new Int32Array(length));
      this.generationOf = grown(this.generationOf, new Int32Array(length).fill(-1));
      this.listOf = grown(this.listOf, new Uint8Array(length));
    }
    this.keys.push("");
    this.values.push(undefined);
    return entry;
  }

  private index(hash: number, entry: number): void {
    // At most half the slots used: a key not there is found missing within a slot or two.
    if (2 * (this.used + 1) > this.mask + 1) this.rehash((this.mask + 1) * 2);
    this.place(hash, entry);
    this.used++;
    markFilter(this.filter, mixed(hash));
  }

  private place(hash: number, entry: number): void {
    const { slots, mask } = this;
    let i = mixed(hash) & mask;
    while (slots[i * SLOT_INTS + 1] !== 0) i = (i + 1) & mask;
    slots[i * SLOT_INTS] = hash;
    slots[i * SLOT_INTS + 1] = entry + 1;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size * SLOT_INTS);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i += SLOT_INTS) if (old[i + 1] !== 0) this.place(old[i], old[i + 1] - 1);
  }

  /** Takes the entry out of the index, moving back the entries after it that probed past its slot. */
  private unindex(entry: number): void {
    const { slots, mask } = this;
    let i = mixed(this.hashes[entry]) & mask;
    while (slots[i * SLOT_INTS + 1] !== entry + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; slots[j * SLOT_INTS + 1] !== 0; j = (j + 1) & mask) {
      const home = mixed(slots[j * SLOT_INTS]) & mask;
      // The entry at j may fill the hole at i when its probe from `home` passes i (cyclically).
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        slots[i * SLOT_INTS] = slots[j * SLOT_INTS];
        slots[i * SLOT_INTS + 1] = slots[j * SLOT_INTS + 1];
        i = j;
      }
    }
    slots[i * SLOT_INTS] = 0;
    slots[i * SLOT_INTS + 1] = 0;
    this.used--;
    if (++this.removed > this.used + FILTER_SLACK) this.refilter();
  }

  /** The filter made anew from the hashes in the slots. */
  private refilter(): void {
    const { slots, filter } = this;
    filter.fill(0);
    for (let i = 0; i < slots.length; i += SLOT_INTS)
      if (slots[i + 1] !== 0) markFilter(filter, mixed(slots[i]));
    this.removed = 0;
  }

  /** Whether a key of this hash may be there (false: it is not; see `filter`). */
  mayHold(hash: number): boolean {
    return inFilter(this.filter, mixed(hash));
  }

  private file(ages: Ages, entry: number, generation: Generation, timeMs: number): void {
    generation.entries.push(entry);
    ages.filed++;
    this.evict(ages, timeMs);
  }

  private current(ages: Ages, timeMs: number): Generation {
    const generations = ages.generations;
    let last = generations[generations.length - 1];
    const time = Number.isFinite(timeMs) ? timeMs : (last?.newest ?? 0);
    if (
      !last ||
      last.entries.length >= Math.max(1, Math.floor(ages.maxEntries / SLICES)) ||
      time - last.oldest >= ages.maxAgeMs / SLICES
    ) {
      last = { id: this.nextId++, entries: [], oldest: time, newest: time };
      generations.push(last);
    }
    if (time > last.newest) last.newest = time;
    if (time < last.oldest) last.oldest = time;
    return last;
  }

  private evict(ages: Ages, timeMs: number): void {
    const generations = ages.generations;
    const now = Number.isFinite(timeMs) ? timeMs : generations[generations.length - 1].newest;
    while (generations.length > 1) {
      const oldest = generations[0];
      const aged = oldest.newest + ages.maxAgeMs < now;
      // Entries rewritten many times are filed many times: the filing is bounded too.
      if (!aged && ages.size <= ages.maxEntries && ages.filed <= 4 * ages.maxEntries) return;
      generations.shift();
      ages.filed -= oldest.entries.length;
      for (const entry of oldest.entries) {
        if (this.generationOf[entry] !== oldest.id) continue;
        const value = this.values[entry] as V;
        this.remove(entry);
        if (aged) this.evictedByAge++;
        else this.evictedByCount++;
        this.onEvict?.(value, ages.index, !aged);
      }
    }
  }
}

/** Whether warmUp has run in this thread (each has its own V8 isolate: its own type feedback). */
let warmed = false;

/**
 * Every path of a table taken once, on a throwaway table, before the first real one is used. V8 optimizes a
 * method for the paths it has run; in a log, the first eviction by age or count, the first rehash or probe
 * past another hash, the first generation timed in ms come thousands of lines in, and each threw away the
 * code optimized without them and compiled it again (--trace-deopt at 4M grep'd Postfix lines: advance,
 * evict, current, candidate, findBytes and their callers, 16 times over the two threads); so does the filter's
 * first making anew (FILTER_SLACK is small enough that these rounds make it). A small table, so that
 * few rounds reach its growth and both evictions: 2,048 rounds on a full-size one were enough for TurboFan to
 * compile this loop itself (--trace-opt, in each thread), work no log needs.
 */
function warmUp(): void {
  if (warmed) return;
  warmed = true;
  const table = new AgedTable<{ n: number }>(
    [
      { maxAgeMs: 160, maxEntries: 8 },
      { maxAgeMs: 640, maxEntries: 32 },
    ],
    () => {},
    { slots: 16, entries: 8 },
  );
  const start = Date.UTC(2026, 0, 5);
  for (let i = 0; i < 256; i++) {
    const key = `WARM${i}`;
    // Hashes that collide (probes past another key) and times in ms, NaN (the latest seen) now and then.
    const hash = i & ~3;
    const time = i % 7 === 0 ? Number.NaN : start + 10 * i;
    const bytes = Buffer.from(key, "latin1");
    let entry = table.findBytes(hash, bytes, 0, bytes.length);
    if (entry === NONE) entry = table.add(hash, key, { n: i }, i % 3 === 0 ? 1 : 0, time);
    table.touch(table.findText(hash, key, 0, key.length), time);
    if (i % 5 === 0) entry = table.move(entry, 1 - table.list(entry), time);
    if (i % 11 === 0) table.remove(entry);
    table.advance(time);
  }
  table.clear();
}

function grown<T extends Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** An AgedTable of one list keyed by strings (for readers that look ids up as strings). */
export class AgedMap<V> {
  private readonly table: AgedTable<V>;

  constructor(maxAgeMs: number, maxEntries: number, onEvict?: (value: V, byCount: boolean) => void) {
    this.table = new AgedTable<V>(
      [{ maxAgeMs, maxEntries }],
      onEvict ? (value, _list, byCount) => onEvict(value, byCount) : undefined,
    );
  }

  get size(): number {
    return this.table.size(0);
  }

  get evictedByAge(): number {
    return this.table.evictedByAge;
  }

  get evictedByCount(): number {
    return this.table.evictedByCount;
  }

  get(key: string): V | undefined {
    const entry = this.table.findText(idHash(key), key, 0, key.length);
    return entry === NONE ? undefined : this.table.value(entry);
  }

  /** Stores (or refreshes) `key` as written at input time `timeMs` (NaN: the latest time seen). */
  set(key: string, value: V, timeMs: number): void {
    const hash = idHash(key);
    const entry = this.table.findText(hash, key, 0, key.length);
    if (entry === NONE) {
      // A copy: a key sliced from a line would keep the whole decoded input chunk alive.
      this.table.add(hash, detach(key), value, 0, timeMs);
      return;
    }
    this.table.replace(entry, value);
    this.table.touch(entry, timeMs);
  }

  /** Marks `key` written at `timeMs` (its age starts again); false when it is not there. */
  touch(key: string, timeMs: number): boolean {
    const entry = this.table.findText(idHash(key), key, 0, key.length);
    if (entry === NONE) return false;
    this.table.touch(entry, timeMs);
    return true;
  }

  delete(key: string): boolean {
    const entry = this.table.findText(idHash(key), key, 0, key.length);
    if (entry === NONE) return false;
    this.table.remove(entry);
    return true;
  }

  advance(timeMs: number): void {
    this.table.advance(timeMs);
  }

  clear(): void {
    this.table.clear();
  }
}
