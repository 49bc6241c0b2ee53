// Svelte 5 reads <script lang="ts"> itself (type annotations only): no preprocessor needed.
export default {};
