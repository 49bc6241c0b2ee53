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

export async function benchSize({ root }) {
  const standaloneText = fs.readFileSync(path.join(root, 'dist/heartbeat-socket.js'));
  const standalone = { raw: standaloneText.length, gzip: gzip(standaloneText) };
  const core = await minified(root, { entryPoints: ['src/core/index.ts'] });
  const lit = await minified(root, { stdin: { contents: "export { LitElement, html, css } from 'lit';", resolveDir: root, loader: 'js' } });
  // What each core module weighs on its own (its imports left out): where the bytes go.
  const modules = {};
  for (const file of fs.readdirSync(path.join(root, 'src/core')).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
    modules[file.replace(/\.ts$/, '')] = await minified(root, { entryPoints: [`src/core/${file}`], external: ['./*'] });
  }
  return { standalone, core, lit, coreModules: modules };
}
