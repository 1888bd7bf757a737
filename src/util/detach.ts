/**
 * A copy of `text` that does not keep alive the (large) string it was sliced from. Lines are slices of a
 * whole decoded chunk; anything kept beyond the chunk (cache keys, per-queue-id state) must be detached.
 */
export function detach(text: string): string;
export function detach(text: string | null): string | null;
export function detach(text: string | null): string | null {
  // V8 copies slices shorter than 13 characters anyway. A longer slice (even of a fresh concatenation) is a
  // SlicedString: every comparison with it (a Map lookup that finds the key, `===` with an equal string)
  // then runs in V8's runtime, character by character. Joining two pieces writes one flat string instead.
  return text === null || text.length < 13 ? text : [text.slice(0, 1), text.slice(1)].join("");
}
