// `npm run analyze` (also the last step of `npm run build`): writes custom-elements.json, the
// Custom Elements Manifest named by package.json's `customElements`. Editors, Storybook and
// framework wrappers read the element's attributes, properties, events, slots and CSS states
// from it; they come from the class JSDoc in src/heartbeat-socket-element.ts.

import { posix } from 'node:path';

const camelCase = (name) => name.replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());

/**
 * Tidies what the analyzer cannot see by itself:
 * - module paths name the published files (dist/*.js), not the sources, since users import those;
 * - the element's properties are declared in a shared object (`OPTION_PROPERTIES`), so the analyzer
 *   does not link each `@attr` to its field: link them by name (`reconnect-delay` ↔ `reconnectDelay`);
 * - the tag registered through the `TAG_NAME` constant is named by its value;
 * - re-exported types name their module by its package path, like every other module path;
 * - `#private` members are implementation, not API.
 */
function tidyManifest() {
  const toDist = (path) => path.replace(/^\/?src\//, 'dist/').replace(/\.ts$/, '.js');
  return {
    name: 'heartbeat-socket:tidy',
    packageLinkPhase({ customElementsManifest: manifest }) {
      for (const module of manifest.modules) {
        module.path = toDist(module.path);
        for (const declaration of module.declarations ?? []) {
          if (!declaration.customElement) continue;
          declaration.members = (declaration.members ?? []).filter((member) => !member.name.startsWith('#'));
          for (const attribute of declaration.attributes ?? []) {
            const field = declaration.members.find((member) => member.kind === 'field' && member.name === camelCase(attribute.name));
            if (!field) continue;
            attribute.fieldName = field.name;
            field.attribute = attribute.name;
            if (attribute.name === 'status') field.reflects = true;
          }
        }
        for (const entry of module.exports ?? []) {
          // A re-export (`export type { ErrorDetail } from './core/events.js'`) names its module
          // relative to the file; the manifest's module paths are relative to the package.
          const from = entry.declaration?.module;
          if (from) entry.declaration.module = from.startsWith('.') ? posix.join(posix.dirname(module.path), from) : toDist(from);
          if (entry.kind === 'custom-element-definition' && entry.name === 'TAG_NAME') entry.name = 'heartbeat-socket';
        }
      }
    },
  };
}

export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/standalone.ts'],
  outdir: '.',
  litelement: true,
  plugins: [tidyManifest()],
};
