import { detachFirst } from "./detaching.ts";

/** The part of the WebAssembly JavaScript API used here (TypeScript declares it only with the DOM libraries). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/**
 * The exports of a WebAssembly module with no imports (its bytes in base64), made in this thread: null where
 * that fails, undefined where the thread has no WebAssembly — classify's startup snapshot is built where there is
 * none (node --build-snapshot), and a caller remembers nothing then. Its memory may grow (a grow detaches the old
 * buffer): the thread's first detach (detachFirst) is made before, ahead of the readers of typed arrays being
 * optimized.
 */
export function wasmExports(base64: string): object | null | undefined {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) return undefined;
  detachFirst();
  try {
    return new api.Instance(new api.Module(Buffer.from(base64, "base64")), {}).exports as object;
  } catch {
    return null;
  }
}
