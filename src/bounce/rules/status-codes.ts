import type { Reason } from "../vocabulary.ts";

/** STUB (bounce-email work owns this file): reason implied by an enhanced status code / reply code alone. */
export function reasonFromStatus(status: string | null, replyCode: number | null): Reason | null {
  void status;
  void replyCode;
  return null;
}
