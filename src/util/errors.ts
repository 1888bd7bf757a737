/**
 * A value the caller gave cannot be used: an option, a date, a provider name, a directory that is not
 * one. Capabilities throw it (they never print or exit); the CLI reports it and exits 2 (usage error),
 * under the name it has there, `UsageError` (src/cli/exit.ts).
 */
export class InputError extends Error {}
