/**
 * At most `perHost` concurrent tasks per key (host:port): providers throttle or lock out accounts that
 * open many IMAP connections at once (Gmail allows 15 simultaneous connections per account:
 * https://support.google.com/a/answer/1071518). Waiters are served in arrival order.
 */
export class HostLimiter {
  readonly perHost: number;
  private readonly active = new Map<string, number>();
  private readonly queues = new Map<string, (() => void)[]>();

  constructor(perHost: number) {
    if (!Number.isInteger(perHost) || perHost < 1) throw new RangeError("perHost must be a whole number ≥ 1");
    this.perHost = perHost;
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  /** Tasks running now for `key` (for tests and progress). */
  running(key: string): number {
    return this.active.get(key) ?? 0;
  }

  private acquire(key: string): Promise<void> {
    const n = this.active.get(key) ?? 0;
    if (n < this.perHost) {
      this.active.set(key, n + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.queues.get(key) ?? [];
      queue.push(resolve);
      this.queues.set(key, queue);
    });
  }

  private release(key: string): void {
    const queue = this.queues.get(key);
    const next = queue?.shift();
    if (next) {
      // The slot passes straight to the next waiter: the count stays.
      if (queue?.length === 0) this.queues.delete(key);
      next();
      return;
    }
    const n = (this.active.get(key) ?? 1) - 1;
    if (n <= 0) this.active.delete(key);
    else this.active.set(key, n);
  }
}
