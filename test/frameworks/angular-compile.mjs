// Angular 21's own compiler for the framework tests: ngtsc (@angular/compiler-cli) compiles
// test/frameworks/angular-app.ts and examples/angular ahead of time, with strict template
// type-checking, as `ng build` does; then esbuild bundles the result, running Angular's linker
// (a Babel plugin) over the framework's partially compiled packages, again as the CLI does. No
// JIT compiler reaches the page. Angular lives in test/frameworks/angular (npm ci there, done by
// test/run-engines.mjs), since the repo itself has no Angular.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = path.join(root, 'test/frameworks/angular');
const fixtureModules = path.join(fixture, 'node_modules');
const requireFromFixture = createRequire(path.join(fixture, 'package.json'));
const importFromFixture = (specifier) => import(pathToFileURL(requireFromFixture.resolve(specifier)).href);

export const ANGULAR_ENTRY = 'test/frameworks/angular-app.ts';

/** ngtsc over the entry and what it imports, into a temporary folder; throws with the diagnostics. */
async function compile(outDir) {
  const ng = await importFromFixture('@angular/compiler-cli');
  const ts = requireFromFixture('typescript');
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    strict: true,
    skipLibCheck: true,
    isolatedModules: true,
    useDefineForClassFields: false,
    experimentalDecorators: true,
    types: [],
    rootDir: root,
    outDir,
    declaration: false,
    sourceMap: false,
    // The element's own types, from src/ (the runtime comes from dist/ through esbuild below).
    baseUrl: root,
    // Angular and rxjs from the fixture.
    paths: {
      'heartbeat-socket': ['src/index.ts'],
      '@angular/*': ['test/frameworks/angular/node_modules/@angular/*'],
      rxjs: ['test/frameworks/angular/node_modules/rxjs'],
      'rxjs/*': ['test/frameworks/angular/node_modules/rxjs/*'],
    },
    typeRoots: [],
    // Angular's: full AOT, strict template checks, as `ng new` sets them.
    compilationMode: 'full',
    strictTemplates: true,
    strictInjectionParameters: true,
    strictInputAccessModifiers: true,
  };
  const host = ng.createCompilerHost({ options });
  const { diagnostics } = ng.performCompilation({ rootNames: [path.join(root, ANGULAR_ENTRY)], options, host });
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(ng.formatDiagnostics(errors, { getCurrentDirectory: () => root, getCanonicalFileName: (f) => f, getNewLine: () => '\n' }));
  }
}

/** Runs Angular's linker over the framework's partially compiled declarations (ɵɵngDeclare…). */
const angularLinker = {
  name: 'angular-linker',
  setup(build) {
    let babel;
    let linker;
    build.onLoad({ filter: /[\\/]node_modules[\\/]@angular[\\/].+\.m?js$/ }, async (args) => {
      const code = await fs.promises.readFile(args.path, 'utf8');
      if (!code.includes('ɵɵngDeclare')) return { contents: code, loader: 'js' };
      babel ??= requireFromFixture('@babel/core');
      linker ??= (await importFromFixture('@angular/compiler-cli/linker/babel')).default;
      const result = await babel.transformAsync(code, { filename: args.path, plugins: [linker], compact: false, sourceMaps: false, babelrc: false, configFile: false });
      return { contents: result.code, loader: 'js' };
    });
  },
};

/** The Angular test app as one ES module, built from scratch. */
export async function bundleAngularApp() {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbs-angular-'));
  try {
    await compile(outDir);
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [path.join(outDir, ANGULAR_ENTRY.replace(/\.ts$/, '.js'))],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      // The compiled files sit outside the repo: Angular from the fixture, the element from the
      // built package (dist/, through package.json), as an app's bundler would find them.
      nodePaths: [fixtureModules, path.join(root, 'node_modules')],
      alias: { 'heartbeat-socket': root },
      define: { ngDevMode: 'false', ngJitMode: 'false', ngI18nClosureMode: 'false' },
      plugins: [angularLinker],
    });
    return result.outputFiles[0].text;
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * The same, in a child process: ngtsc is synchronous and takes seconds, which would stall the
 * test server (and every test file it serves meanwhile) if run in its own process.
 */
export function bundleAngularAppInChild() {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [fileURLToPath(import.meta.url)], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(await bundleAngularApp());
}
