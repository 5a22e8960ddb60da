// Reading esbuild's metafile of the CLI's build (YDEPLOY_BUILD_METAFILE): which output chunks a
// command loads, and which sources (ours, or a package's) those chunks hold.
export interface Metafile {
  inputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
  outputs: Record<
    string,
    {
      bytes: number;
      entryPoint?: string;
      imports: { path: string; kind: string; external?: boolean }[];
      inputs: Record<string, { bytesInOutput: number }>;
    }
  >;
}

/** The output chunk that an entry point or a dynamically imported source became. */
export function outputOf(meta: Metafile, source: string): string {
  const found = Object.entries(meta.outputs).find(([file, o]) => file.endsWith('.js') && o.entryPoint === source);
  if (!found) throw new Error(`no output chunk has the entry point ${source}`);
  return found[0];
}

/** Every chunk that loads when `outputs` load: them and their static imports, transitively. */
export function staticClosure(meta: Metafile, outputs: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of meta.outputs[file].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  outputs.forEach(visit);
  return seen;
}

/** The sources a source imports with `import()`: what it loads only when that code runs. */
export function dynamicImportsOf(meta: Metafile, source: string): string[] {
  const input = meta.inputs[source];
  if (!input) throw new Error(`${source} is not in the build`);
  return input.imports.filter((i) => i.kind === 'dynamic-import' && !i.external).map((i) => i.path);
}

/** The sources bundled into `outputs` (a package's as "node_modules/<package>/…"). */
export function sourcesIn(meta: Metafile, outputs: Iterable<string>): string[] {
  const sources = new Set<string>();
  for (const file of outputs)
    for (const input of Object.keys(meta.outputs[file].inputs))
      sources.add(input.replace(/^.*node_modules\//, 'node_modules/'));
  return [...sources];
}

/** The packages whose code is in `outputs`, by name ("@aws-sdk/client-ec2", "zod"). */
export function packagesIn(meta: Metafile, outputs: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const source of sourcesIn(meta, outputs)) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
    if (m) names.add(m[1]);
  }
  return names;
}
