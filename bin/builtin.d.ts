/** The built-in module `name` ("node:fs"…). */
export declare function builtin<T = unknown>(name: string): Promise<T>;
