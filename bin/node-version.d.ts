export declare const MINIMUM_NODE: readonly [number, number];
/** The message for a Node version deliverlens cannot run on, or null when it can. */
export declare function nodeTooOld(version: string): string | null;
