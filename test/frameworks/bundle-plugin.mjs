// Serves the framework examples compiled and bundled, as an app's bundler would, through esbuild:
// React's JSX and its CommonJS packages, Vue single-file components, Svelte components. The element comes from
// the built package (`import 'heartbeat-socket'` resolves through package.json's exports to
// dist/), so these tests also check what npm users get.
//
//   GET /__examples__/react.js   test/frameworks/react-app.tsx
//   GET /__examples__/react-18.js        test/frameworks/react-18-app.tsx, with React 18
//   GET /__examples__/lit-react.js       test/frameworks/lit-react-app.tsx
//   GET /__examples__/lit-react-18.js    test/frameworks/lit-react-app.tsx, with React 18
//   GET /__examples__/angular.js         test/frameworks/angular-app.ts, by Angular's compiler (angular-compile.mjs)
//   GET /__examples__/vue.js     test/frameworks/vue-app.ts
//   GET /__examples__/svelte.js  test/frameworks/svelte-app.ts
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ANGULAR_ENTRY, bundleAngularAppInChild } from './angular-compile.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The repo has React 19; test/frameworks/react-18 has React 18 (npm ci there, done by
 * test/run-engines.mjs). These entries are bundled with every `react`/`react-dom` import mapped
 * to that copy, as an app on React 18 would resolve them.
 */
const REACT_18 = new Set(['/__examples__/react-18.js', '/__examples__/lit-react-18.js']);
const react18 = path.join(root, 'test/frameworks/react-18/node_modules');

const ENTRIES = {
  '/__examples__/react.js': 'test/frameworks/react-app.tsx',
  '/__examples__/react-18.js': 'test/frameworks/react-18-app.tsx',
  '/__examples__/lit-react.js': 'test/frameworks/lit-react-app.tsx',
  '/__examples__/lit-react-18.js': 'test/frameworks/lit-react-app.tsx',
  '/__examples__/angular.js': ANGULAR_ENTRY,
  '/__examples__/vue.js': 'test/frameworks/vue-app.ts',
  '/__examples__/svelte.js': 'test/frameworks/svelte-app.ts',
};

/** The Vue compiler option every Vue app with the element needs (see examples/vue/vite.config.ts). */
const isCustomElement = (tag) => tag === 'heartbeat-socket';

/** Compiles `.vue` files like @vitejs/plugin-vue: <script setup lang="ts"> with the template inlined. */
const vueSfc = {
  name: 'vue-sfc',
  setup(build) {
    build.onLoad({ filter: /\.vue$/ }, async (args) => {
      const { parse, compileScript, compileStyle } = await import('vue/compiler-sfc');
      const source = await readFile(args.path, 'utf8');
      // Since Vue 3.4 the template is parsed here, and the parser is what decides component vs element.
      const { descriptor, errors } = parse(source, { filename: args.path, templateParseOptions: { isCustomElement } });
      if (errors.length > 0) return { errors: errors.map((error) => ({ text: String(error.message ?? error) })) };
      const id = createHash('sha256').update(args.path).digest('hex').slice(0, 8);
      const script = compileScript(descriptor, {
        id,
        inlineTemplate: true,
        templateOptions: { compilerOptions: { isCustomElement } },
      });
      let contents = script.content;
      for (const style of descriptor.styles) {
        if (style.scoped) return { errors: [{ text: `${args.path}: <style scoped> is not supported by this test bundler` }] };
        const css = compileStyle({ source: style.content, filename: args.path, id: `data-v-${id}` }).code;
        contents += `\n{ const s = document.createElement('style'); s.textContent = ${JSON.stringify(css)}; document.head.append(s); }`;
      }
      return { contents, loader: script.lang === 'ts' ? 'ts' : 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/** Compiles `.svelte` files with Svelte 5's compiler (TypeScript in <script lang="ts"> is stripped by it). */
const svelteComponents = {
  name: 'svelte',
  setup(build) {
    build.onLoad({ filter: /\.svelte$/ }, async (args) => {
      const { compile } = await import('svelte/compiler');
      const source = await readFile(args.path, 'utf8');
      const { js } = compile(source, { filename: args.path, generate: 'client', dev: false, css: 'injected' });
      return { contents: js.code, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

async function bundle(entry, { react18: withReact18 = false } = {}) {
  const result = await esbuild.build({
    alias: withReact18 ? { react: path.join(react18, 'react'), 'react-dom': path.join(react18, 'react-dom') } : {},
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    conditions: ['svelte', 'browser'],
    jsx: 'automatic',
    write: false,
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    define: {
      'process.env.NODE_ENV': '"development"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    plugins: [vueSfc, svelteComponents],
  });
  return result.outputFiles[0].text;
}

export function exampleBundlePlugin() {
  /** One build per served path and run; a failed build is not cached, so the next request retries. */
  const builds = new Map();
  const start = (key) => {
    const entry = ENTRIES[key];
    // test/run-engines.mjs compiles the Angular app once for all engines (ANGULAR_BUNDLE).
    const prebuilt = entry === ANGULAR_ENTRY && process.env.ANGULAR_BUNDLE;
    const pending = prebuilt
      ? readFile(prebuilt, 'utf8')
      : entry === ANGULAR_ENTRY
        ? bundleAngularAppInChild()
        : bundle(entry, { react18: REACT_18.has(key) });
    builds.set(key, pending);
    pending.catch(() => builds.delete(key));
  };
  return {
    name: 'example-bundles',
    serverStart({ config }) {
      // Angular's compile takes seconds: begin at once when its test is part of the run.
      if (/angular|\*/.test(JSON.stringify(config.files ?? ''))) start('/__examples__/angular.js');
    },
    async serve(context) {
      const entry = ENTRIES[context.path];
      if (!entry) return undefined;
      // Keyed by the served path: one entry file may be bundled with React 19 and with React 18.
      const key = context.path;
      if (!builds.has(key)) start(key);
      try {
        return { body: await builds.get(key), type: 'js' };
      } catch (error) {
        const message = `bundling ${entry} failed:\n${error?.message ?? error}`;
        return { body: `throw new Error(${JSON.stringify(message)});`, type: 'js' };
      }
    },
  };
}
