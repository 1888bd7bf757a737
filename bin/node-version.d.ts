export declare const MINIMUM_NODE: readonly [number, number];
/** True when `version` (e.g. "v20.20.2") can run deliverlens. */
export declare function nodeIsRecentEnough(version: string): boolean;
/** The message for a Node version deliverlens cannot run on (when no pinned Node was found either), or null. */
export declare function nodeTooOld(version: string): string | null;
/** The pinned Node binary next to this package, or null. */
export declare function pinnedNode(binDir?: URL): string | null;
