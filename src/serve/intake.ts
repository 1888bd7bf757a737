import { ingestFile } from "../analytics/ingest/ingest.ts";
import type { FormatName } from "../events/formats.ts";
import type { Store } from "../store/index.ts";
import { Overloaded } from "./receivers.ts";
import type { Spool, SpoolSegment } from "./spool.ts";

/**
 * One writer at a time on the store's connection: drains, detection and the API's reads take turns
 * (DuckDB runs one statement at a time per connection, and a drain is a transaction).
 */
export class StoreLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => {});
    return result;
  }
}

/**
 * How an acknowledged batch is durable: `spool` = fsynced to the spool, drained into the store in batches
 * every `drainIntervalMs`; `direct` = committed to the store before the answer (bench:serve measures both).
 */
export type Durability = "spool" | "direct";

export interface IntakeOptions {
  store: Store;
  spool: Spool;
  lock: StoreLock;
  durability: Durability;
  /** Records on disk not yet in the store above which webhooks are answered 503 + Retry-After. */
  maxBacklog: number;
  drainIntervalMs: number;
  /** Called after each drained segment (detection may look at fresh data). */
  onDrained?: (segment: SpoolSegment, stored: number) => void;
}

export interface IntakeCounters {
  received: number;
  drained: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  drainErrors: number;
  lastDrainError: string | null;
  overloaded: number;
}

/** Spool + drainer: the durable, deduplicating path of webhook records into the store. */
export class Intake {
  readonly counters: IntakeCounters = {
    received: 0,
    drained: 0,
    stored: 0,
    duplicates: 0,
    quarantined: 0,
    drainErrors: 0,
    lastDrainError: null,
    overloaded: 0,
  };
  private readonly options: IntakeOptions;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(options: IntakeOptions) {
    this.options = options;
  }

  get backlog(): number {
    return this.options.spool.backlog;
  }

  /** Refuses work when the store is behind by more than the backlog limit. */
  admit(): void {
    if (this.stopped || this.options.spool.backlog >= this.options.maxBacklog) {
      this.counters.overloaded++;
      throw new Overloaded(
        this.stopped ? 10 : Math.max(1, Math.ceil((this.options.drainIntervalMs * 4) / 1000)),
      );
    }
  }

  async accept(format: FormatName, records: string[]): Promise<void> {
    await this.options.spool.append(format, records);
    this.counters.received += records.length;
    if (this.options.durability === "direct") await this.drain();
  }

  /** Starts the periodic drain (segments left by a previous run go first). */
  start(): void {
    void this.drain();
    if (this.options.durability === "spool")
      this.timer = setInterval(() => void this.drain(), this.options.drainIntervalMs);
  }

  /** Stops intake (new webhooks get 503) and drains what is spooled. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.drain();
  }

  /** Drains every sealed segment, oldest first; one drain at a time. */
  drain(): Promise<void> {
    this.chain = this.chain.then(() => this.drainOnce());
    return this.chain;
  }

  private async drainOnce(): Promise<void> {
    const { spool, store, lock } = this.options;
    const segments = await spool.takeSealed();
    for (const [index, segment] of segments.entries()) {
      try {
        const summary = await lock.run(() =>
          ingestFile(store, segment.path, { format: segment.format, dedupeWithTime: true }),
        );
        await spool.done(segment);
        this.counters.drained += summary.read;
        this.counters.stored += summary.stored;
        this.counters.duplicates += summary.duplicates;
        this.counters.quarantined += summary.quarantined;
        this.options.onDrained?.(segment, summary.stored);
      } catch (error) {
        // The store refused (disk full, lock): the segments stay on disk and are retried next time.
        this.counters.drainErrors++;
        this.counters.lastDrainError = (error as Error).message;
        spool.putBack(segments.slice(index));
        return;
      }
    }
  }
}
