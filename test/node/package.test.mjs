// What npm users get, checked from the packed tarball (`npm pack` of the built package), in Node:
// every entry imports without a DOM, the manifest validates, and each framework's typings
// type-check an app that uses them. Run by test/run-engines.mjs (after the build) as the "node"
// part of `npm test`.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { validateCem } from '@wc-toolkit/cem-validator';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./package-app/', import.meta.url));
const bin = (name) => path.join(root, 'node_modules/.bin', name);

let work;
let app;
let installed;
let manifestOfPackage;

/** A fresh app folder whose node_modules holds the unpacked tarball and, linked, the repo's other packages. */
function makeApp(name, links = {}) {
  const dir = path.join(work, name);
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  for (const entry of fs.readdirSync(path.join(root, 'node_modules'))) {
    if (entry === '.bin' || entry === 'heartbeat-socket' || entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      fs.mkdirSync(path.join(modules, entry), { recursive: true });
      for (const scoped of fs.readdirSync(path.join(root, 'node_modules', entry))) {
        const target = links[`${entry}/${scoped}`] ?? path.join(root, 'node_modules', entry, scoped);
        fs.symlinkSync(target, path.join(modules, entry, scoped));
      }
    } else {
      fs.symlinkSync(links[entry] ?? path.join(root, 'node_modules', entry), path.join(modules, entry));
    }
  }
  // Angular and rxjs come from their fixture (the repo has no Angular): for the docs' snippet.
  const angular = path.join(root, 'test/frameworks/angular/node_modules');
  for (const name of ['@angular', 'rxjs']) {
    if (fs.existsSync(path.join(angular, name)) && !fs.existsSync(path.join(modules, name))) fs.symlinkSync(path.join(angular, name), path.join(modules, name));
  }
  fs.cpSync(installed, path.join(modules, 'heartbeat-socket'), { recursive: true });
  return dir;
}

function writeTsconfig(dir, compilerOptions, include) {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'bundler',
      lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      strict: true,
      noEmit: true,
      isolatedModules: true,
      verbatimModuleSyntax: true,
      noUnusedLocals: true,
      // The package's own .d.ts files are part of what is checked: no skipLibCheck for them.
      skipLibCheck: false,
      types: [],
      ...compilerOptions,
    },
    include,
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbs-package-'));
  // --ignore-scripts: npm test has just built; prepack would build again.
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
  installed = path.join(work, 'unpacked');
  fs.mkdirSync(installed);
  execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', installed, '--strip-components=1']);
  manifestOfPackage = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  app = makeApp('app');
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('has every file its exports map names', () => {
    const targets = Object.values(manifestOfPackage.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
    assert.ok(targets.length >= 10);
    const missing = targets.filter((target) => !fs.existsSync(path.join(installed, target)));
    assert.deepEqual(missing, []);
  });

  it('every entry imports in Node (no DOM, as in a server render) without throwing', () => {
    const entries = Object.keys(manifestOfPackage.exports).filter((entry) => !entry.endsWith('.json'));
    assert.ok(entries.includes('./standalone') && entries.includes('./react'));
    const failures = [];
    for (const entry of entries) {
      const specifier = path.posix.join('heartbeat-socket', entry);
      const { ok, output } = run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)});`], app);
      if (!ok) failures.push(`${specifier}: ${output.split('\n').find((line) => /Error/.test(line)) ?? output}`);
    }
    assert.deepEqual(failures, []);
  });

  it('its custom-elements manifest validates, every type it names exported by the module it names', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, manifestOfPackage.customElements), 'utf8'));
    const log = console.log;
    const lines = [];
    console.log = (...args) => void lines.push(args.join(' ')); // the validator reports here
    try {
      await validateCem(manifest, { packageJsonPath: path.join(installed, 'package.json'), cemFileName: manifestOfPackage.customElements, logErrors: false });
    } catch (error) {
      throw new Error(`${error.message}\n${lines.filter((line) => /missing|error/i.test(line)).join('\n')}`);
    } finally {
      console.log = log;
    }
  });
});

describe('framework typings from the packed package', () => {
  it('heartbeat-socket/react: a React 19 app type-checks, and misuse is an error', () => {
    fs.copyFileSync(path.join(fixtures, 'react.tsx'), path.join(app, 'react.tsx'));
    writeTsconfig(app, { jsx: 'react-jsx', types: [] }, ['react.tsx']);
    const { ok, output } = run(bin('tsc'), ['-p', 'tsconfig.json'], app);
    assert.ok(ok, output);
  });

  it('heartbeat-socket/react-18: a React 18 app type-checks (attribute names, no listener props)', () => {
    const dir = makeApp('react-18', { '@types/react': path.join(root, 'node_modules/@types/react-18') });
    fs.copyFileSync(path.join(fixtures, 'react-18.tsx'), path.join(dir, 'react-18.tsx'));
    writeTsconfig(dir, { jsx: 'react-jsx', types: [] }, ['react-18.tsx']);
    const version = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules/@types/react/package.json'), 'utf8')).version;
    assert.match(version, /^18\./);
    const { ok, output } = run(bin('tsc'), ['-p', 'tsconfig.json'], dir);
    assert.ok(ok, output);
  });

  it('heartbeat-socket/vue: a Vue single-file component type-checks with vue-tsc, and misuse is an error', () => {
    fs.copyFileSync(path.join(fixtures, 'Feed.vue'), path.join(app, 'Feed.vue'));
    writeTsconfig(app, { jsx: 'preserve', types: [] }, ['Feed.vue']);
    const { ok, output } = run(bin('vue-tsc'), ['-p', 'tsconfig.json'], app);
    assert.ok(ok, output);
  });

  it('heartbeat-socket/svelte: a Svelte 5 component passes svelte-check', () => {
    const dir = path.join(app, 'svelte');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(fixtures, 'Feed.svelte'), path.join(dir, 'Feed.svelte'));
    writeTsconfig(dir, { types: ['svelte'] }, ['Feed.svelte']);
    const { ok, output } = run(bin('svelte-check'), ['--workspace', dir, '--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human'], dir);
    assert.ok(ok, output);
  });
});

/**
 * The fenced ts, tsx, vue and svelte blocks of README.md and docs/*.md, as written. A block right
 * after a `<!-- snippet: fragment … -->` line is an excerpt, not meant to compile alone (rare).
 */
function snippets() {
  const files = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
  const found = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const fence = /^(<!-- snippet: fragment[^\n]*-->\n)?```(ts|tsx|vue|svelte)\n([\s\S]*?)^```$/gm;
    for (const match of text.matchAll(fence)) {
      const line = text.slice(0, match.index).split('\n').length + (match[1] ? 1 : 0);
      found.push({ file, line, lang: match[2], code: match[3], fragment: Boolean(match[1]) });
    }
  }
  return found;
}

/** A default Vite app's compiler options (`npm create vite`, react-ts/vue-ts, tsconfig.app.json): what `tsc -b` checks there. */
const VITE_TEMPLATE_OPTIONS = {
  useDefineForClassFields: true,
  allowImportingTsExtensions: true,
  moduleDetection: 'force',
  noUnusedParameters: true,
  erasableSyntaxOnly: true,
  noFallthroughCasesInSwitch: true,
  noUncheckedSideEffectImports: true,
  skipLibCheck: true,
  types: ['vite/client', 'node'],
};

/** Writes the snippets of these languages into `dir`, named after where they come from. */
function writeSnippets(dir, langs, extension) {
  const written = [];
  for (const snippet of snippets().filter((s) => langs.includes(s.lang) && !s.fragment)) {
    const name = `${snippet.file.replace(/[/.]/g, '_')}_${snippet.line}${extension(snippet)}`;
    fs.writeFileSync(path.join(dir, name), snippet.code);
    written.push(name);
  }
  return written;
}

describe('README and docs snippets compile as written (against the packed package)', () => {
  it('finds the snippets, and only the rare one is marked a fragment', () => {
    const all = snippets();
    assert.ok(all.filter((s) => s.lang === 'tsx').length >= 2, 'no tsx snippets found');
    assert.ok(all.some((s) => s.lang === 'vue') && all.some((s) => s.lang === 'svelte'));
    assert.ok(all.filter((s) => s.fragment).length <= 2, 'too many snippets marked as fragments');
  });

  it('ts and tsx: tsc with a default Vite template’s settings (noUnusedLocals, …)', () => {
    const dir = path.join(app, 'snippets-ts');
    fs.mkdirSync(dir, { recursive: true });
    const names = writeSnippets(dir, ['ts', 'tsx'], (s) => `.${s.lang}`);
    assert.ok(names.length >= 3);
    // What the docs tell an app to add once: the JSX typings for React.
    fs.writeFileSync(path.join(dir, 'typings.ts'), "import type {} from 'heartbeat-socket/react';\n");
    writeTsconfig(dir, { ...VITE_TEMPLATE_OPTIONS, jsx: 'react-jsx', experimentalDecorators: true }, ['*.ts', '*.tsx']);
    const { ok, output } = run(bin('tsc'), ['-p', 'tsconfig.json'], dir);
    assert.ok(ok, output);
  });

  it('vue: vue-tsc', () => {
    const dir = path.join(app, 'snippets-vue');
    fs.mkdirSync(dir, { recursive: true });
    const names = writeSnippets(dir, ['vue'], () => '.vue');
    assert.ok(names.length >= 1);
    fs.writeFileSync(path.join(dir, 'typings.ts'), "import type {} from 'heartbeat-socket/vue';\n");
    writeTsconfig(dir, { ...VITE_TEMPLATE_OPTIONS, jsx: 'preserve' }, ['*.ts', '*.vue']);
    const { ok, output } = run(bin('vue-tsc'), ['-p', 'tsconfig.json'], dir);
    assert.ok(ok, output);
  });

  it('svelte: svelte-check', () => {
    const dir = path.join(app, 'snippets-svelte');
    fs.mkdirSync(dir, { recursive: true });
    const names = writeSnippets(dir, ['svelte'], () => '.svelte');
    assert.ok(names.length >= 1);
    fs.writeFileSync(path.join(dir, 'typings.ts'), "import type {} from 'heartbeat-socket/svelte';\n");
    writeTsconfig(dir, { ...VITE_TEMPLATE_OPTIONS, types: ['svelte'] }, ['*.ts', '*.svelte']);
    const { ok, output } = run(bin('svelte-check'), ['--workspace', dir, '--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human'], dir);
    assert.ok(ok, output);
  });
});
