import { detachFirst } from "./detaching.ts";

/** The part of the WebAssembly JavaScript API used here (TypeScript declares it only with the DOM libraries). */
interface WasmApi {
  Module: new (bytes: Uint8Array, options?: { builtins?: string[] }) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/**
 * The exports of a WebAssembly module with no imports but `builtins` (its bytes in base64; "js-string": the
 * JavaScript String Builtins, https://github.com/WebAssembly/js-string-builtins), made in this thread: null where
 * that fails, undefined where the thread has no WebAssembly — classify's startup snapshot is built where there is
 * none (node --build-snapshot), and a caller remembers nothing then. Its memory may grow (a grow detaches the old
 * buffer): the thread's first detach (detachFirst) is made before, ahead of the readers of typed arrays being
 * optimized.
 */
export function wasmExports(base64: string, builtins: string[] = []): object | null | undefined {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) return undefined;
  detachFirst();
  try {
    return new api.Instance(new api.Module(Buffer.from(base64, "base64"), { builtins }), {})
      .exports as object;
  } catch {
    return null;
  }
}
