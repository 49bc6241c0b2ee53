// Size: gzip of dist/heartbeat-socket.js as built (Lit inside); min+gzip of the framework-free
// core alone (src/core/index.ts bundled by esbuild: bundle, minify, esm). gzip level 9.
// For reference, the same for Lit's runtime alone and per core module.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';

const gzip = (text) => zlib.gzipSync(Buffer.from(text), { level: 9 }).length;

async function minified(root, options) {
  const result = await esbuild.build({
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    ...options,
  });
  const text = result.outputFiles[0].text;
  return { minified: Buffer.byteLength(text), gzip: gzip(text) };
}

/**
 * An entry as a bundler with code splitting ships it: what loads with the entry (its chunk and
 * the chunks it imports statically) and what loads only on use (import(), the sharing mode).
 */
export async function splitSizes(root, entry, external) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    outdir: path.join(root, '.size-out'),
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    external,
    logLevel: 'silent',
  });
  const files = new Map(result.outputFiles.map((file) => [path.relative(root, file.path), file.text]));
  const outputs = result.metafile.outputs;
  const entryOut = Object.keys(outputs).find((name) => outputs[name].entryPoint === entry);
  const initial = new Set();
  const visit = (name) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const imported of outputs[name].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entryOut);
  // The chunks of each group gzipped together: a bundler that splits out only the lazy part
  // ships the rest as one file.
  const sizeOf = (names) => {
    const text = names.map((name) => files.get(name)).join('\n');
    return { minified: Buffer.byteLength(text), gzip: names.length ? gzip(text) : 0 };
  };
  const js = Object.keys(outputs).filter((name) => name.endsWith('.js'));
  return { initial: sizeOf([...initial]), lazy: sizeOf(js.filter((name) => !initial.has(name))) };
}

/**
 * Where the core's bytes go: one minified bundle of src/core/index.ts with esbuild's metafile,
 * which says how many output bytes each source module contributes. gzip is not additive, so each
 * module's gzip share is its part of the minified bytes applied to the bundle's gzip size.
 */
export async function coreBreakdown(root, entry = 'src/core/index.ts', external = []) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    external,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0].text;
  const total = Buffer.byteLength(text);
  const totalGzip = gzip(text);
  const [output] = Object.values(result.metafile.outputs);
  const modules = Object.entries(output.inputs)
    .map(([file, { bytesInOutput }]) => ({
      module: file.replace(/^src\//, '').replace(/\.ts$/, ''),
      minified: bytesInOutput,
      gzipShare: Math.round((totalGzip * bytesInOutput) / total),
    }))
    .filter((m) => m.minified > 0)
    .sort((a, b) => b.minified - a.minified);
  // Text the user reads (error messages, mostly): the contents of string and template literals.
  const literalBytes = (text.match(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g) ?? []).reduce((n, lit) => n + lit.length, 0);
  return { total, totalGzip, modules, literalBytes };
}

export async function benchSize({ root }) {
  const standaloneText = fs.readFileSync(path.join(root, 'dist/heartbeat-socket.js'));
  const standalone = { raw: standaloneText.length, gzip: gzip(standaloneText) };
  const core = await minified(root, { entryPoints: ['src/core/index.ts'] });
  // What the element takes from Lit (it imports @lit/reactive-element, not lit-html).
  const lit = await minified(root, { stdin: { contents: "export { ReactiveElement, css } from '@lit/reactive-element';", resolveDir: root, loader: 'js' } });
  // What each core module weighs on its own (its imports left out): where the bytes go.
  const modules = {};
  for (const file of fs.readdirSync(path.join(root, 'src/core')).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
    modules[file.replace(/\.ts$/, '')] = await minified(root, { entryPoints: [`src/core/${file}`], external: ['./*'] });
  }
  const LIT = ['lit', 'lit/*', '@lit/reactive-element', '@lit/reactive-element/*'];
  const split = await splitSizes(root, 'src/index.ts', LIT);
  const entry = split.initial;
  const shareChunk = fs.existsSync(path.join(root, 'dist/heartbeat-socket-share.js')) ? fs.readFileSync(path.join(root, 'dist/heartbeat-socket-share.js')) : '';
  const share = { entryLazy: split.lazy, standaloneChunk: { raw: shareChunk.length, gzip: shareChunk.length ? gzip(shareChunk) : 0 } };
  const breakdown = await coreBreakdown(root);
  return { standalone, core, entry, share, lit, coreModules: modules, breakdown };
}

/**
 * What stands between the sizes and their budgets: the core bundle with every string and template
 * literal emptied (the code alone; error texts, but also event names, error codes and option
 * names, which are public), and the bytes of its export statement (public names too).
 */
export async function sizeFloors(root) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/core/index.ts'],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0].text;
  const emptied = text.replace(/"(?:[^"\\\n]|\\.)*"/g, '""').replace(/`(?:[^`\\]|\\.)*`/g, '``');
  const withoutExports = text.replace(/export\{[^}]*\};?\s*$/, '');
  const reactiveElement = await minified(root, {
    stdin: { contents: "export { ReactiveElement, css } from '@lit/reactive-element';", resolveDir: root, loader: 'js' },
  });
  return {
    core: gzip(text),
    coreWithoutLiterals: gzip(emptied),
    coreExportStatement: gzip(text) - gzip(withoutExports),
    reactiveElement,
  };
}

// `node bench/figures/size.mjs`: the size figures with the per-module breakdown of the core and of
// the bundler entry, and the floors above; `npm run build` first for the standalone file.
if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const root = path.resolve(new URL('../..', import.meta.url).pathname);
  const LIT = ['lit', 'lit/*', '@lit/reactive-element', '@lit/reactive-element/*'];
  const b = (n) => `${n.toLocaleString('en-US')} B`;
  const s = await benchSize({ root });
  const floors = await sizeFloors(root);
  // The entry without the sharing chunk (loaded by import()), so each module's share is of what loads.
  const entry = await coreBreakdown(root, 'src/index.ts', [...LIT, './share/index.js']);
  console.log(`standalone ${b(s.standalone.gzip)} (Lit's ReactiveElement and css alone: ${b(floors.reactiveElement.gzip)})`);
  console.log(`bundler entry ${b(s.entry.gzip)}; without code splitting (the sharing code left out, so no chunk boundary and no cross-chunk import and export lists) ${b(entry.totalGzip)}, by module: ${entry.modules.filter((m) => !m.module.startsWith('core/')).map((m) => `${m.module} ${b(m.gzipShare)}`).join(' · ')} · core ${b(entry.modules.filter((m) => m.module.startsWith('core/')).reduce((n, m) => n + m.gzipShare, 0))}`);
  console.log(`core ${b(s.core.gzip)}; by module: ${s.breakdown.modules.map((m) => `${m.module.replace(/^core\//, '')} ${b(m.gzipShare)}`).join(' · ')}`);
  console.log(`core with every string literal emptied ${b(floors.coreWithoutLiterals)}; its export statement ${b(floors.coreExportStatement)}`);
  console.log(`sharing chunk: standalone ${b(s.share.standaloneChunk.gzip)}, bundler ${b(s.share.entryLazy.gzip)}`);
}
