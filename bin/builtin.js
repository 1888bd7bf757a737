// Node's built-in modules for the plain JavaScript of bin/, which runs before anything else on every command.
// A static `import … from "node:fs"` makes the ES module loader build a module of the built-in's every export
// (valgrind: ~13 M instructions for node:fs alone, ~0.03 s of CPU for the three files here, on the path of every
// `classify`); process.getBuiltinModule hands over the built-in itself. Node versions without it (before 20.16
// and 22.3: bin/ must still run on them, to say they are too old) import it as before.

/** The built-in module `name` ("node:fs"…). */
export async function builtin(name) {
  return process.getBuiltinModule?.(name) ?? (await import(name));
}
