// `npm run build:bot [-- <version>]`: builds the release into dist/release. The version is the
// argument, else $RELEASE_VERSION, else the package version. Prints the manifest (JSON) on stdout.
import { readFileSync } from 'node:fs';
import { buildRelease } from './build.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const version = process.argv[2] || process.env.RELEASE_VERSION || pkg.version;
const { dir, manifest } = await buildRelease({ version, outDir: 'dist/release' });
process.stdout.write(`${JSON.stringify({ dir, ...manifest })}\n`);
