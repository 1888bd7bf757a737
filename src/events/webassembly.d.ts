// The part of the WebAssembly JavaScript API line-bytes.ts uses (TypeScript declares it only with the DOM
// libraries, which this project does not load).
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  interface Memory {
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }
  var Memory: { prototype: Memory; new (descriptor: MemoryDescriptor): Memory };
  // biome-ignore lint/suspicious/noEmptyInterface: an opaque compiled module
  interface Module {}
  var Module: {
    prototype: Module;
    new (bytes: Uint8Array): Module;
    imports(module: Module): { module: string; name: string; kind: string }[];
    exports(module: Module): { name: string; kind: string }[];
  };
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  var Instance: {
    prototype: Instance;
    new (module: Module, imports: Record<string, Record<string, unknown>>): Instance;
  };
}
