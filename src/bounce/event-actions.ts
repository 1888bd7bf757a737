/**
 * Which event types the classifier reads, in a module of their own: the store's SQL names them before a
 * file's INSERT, and the classifier itself (classify-event.ts) loads only once replies are to be classified.
 */

/** What each event type says to the classifier as its DSN-like action; types absent here are not classified. */
export const EVENT_ACTIONS: Readonly<Record<string, string>> = {
  bounced: "failed",
  dropped: "failed",
  deferred: "delayed",
  complaint: "failed",
  delivered: "delivered",
};

/** The event types classified unless deliveries are asked for too (classify without --all, the store). */
export const FAILURE_TYPES: readonly string[] = ["bounced", "deferred", "dropped", "complaint"];
