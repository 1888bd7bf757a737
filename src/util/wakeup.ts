/**
 * One waiter on the main thread, woken when a worker's message or exit changes what it waits for, or after a
 * poll interval (the failure it also watches for may come from elsewhere, with no message to wake it).
 */
export class Wakeup {
  private resolve: (() => void) | null = null;

  /** Resolves at the next `wake()`, or after `ms` when given. */
  sleep(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.resolve = resolve;
      if (ms !== undefined) setTimeout(resolve, ms);
    });
  }

  wake(): void {
    const resolve = this.resolve;
    this.resolve = null;
    resolve?.();
  }
}
