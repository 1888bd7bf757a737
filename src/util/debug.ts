/**
 * Developer tracing: with DELIVERLENS_DEBUG set, a line on stderr; otherwise nothing. The one place below
 * src/cli that may write to a standard stream (capabilities otherwise return what they have to say).
 */
export function debugLog(line: string): void {
  if (process.env.DELIVERLENS_DEBUG) process.stderr.write(`${line}\n`);
}
