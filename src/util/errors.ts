/**
 * A value the caller gave cannot be used: an option, a date, a provider name, a directory that is not
 * one. Capabilities throw it (they never print or exit); the CLI reports it and exits 2 (usage error),
 * under the name the command adapters give it, `UsageError`.
 */
export class InputError extends Error {}
