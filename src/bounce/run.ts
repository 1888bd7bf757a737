export async function runClassify(_files: string[], _options: Record<string, unknown>): Promise<number> {
  process.stderr.write("classify: not implemented yet\n");
  return 1;
}
