// Serves the framework examples compiled and bundled, as an app's bundler would, through esbuild:
// React's JSX and its CommonJS packages, Vue single-file components, Svelte components. The element comes from
// the built package (`import 'heartbeat-socket'` resolves through package.json's exports to
// dist/), so these tests also check what npm users get.
//
//   GET /__examples__/react.js   test/frameworks/react-app.tsx
//   GET /__examples__/vue.js     test/frameworks/vue-app.ts
//   GET /__examples__/svelte.js  test/frameworks/svelte-app.ts
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));

const ENTRIES = {
  '/__examples__/react.js': 'test/frameworks/react-app.tsx',
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

async function bundle(entry) {
  const result = await esbuild.build({
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
  /** One build per entry and run; a failed build is not cached, so the next request retries. */
  const builds = new Map();
  return {
    name: 'example-bundles',
    async serve(context) {
      const entry = ENTRIES[context.path];
      if (!entry) return undefined;
      if (!builds.has(entry)) {
        const pending = bundle(entry);
        builds.set(entry, pending);
        pending.catch(() => builds.delete(entry));
      }
      try {
        return { body: await builds.get(entry), type: 'js' };
      } catch (error) {
        const message = `bundling ${entry} failed:\n${error?.message ?? error}`;
        return { body: `throw new Error(${JSON.stringify(message)});`, type: 'js' };
      }
    },
  };
}
