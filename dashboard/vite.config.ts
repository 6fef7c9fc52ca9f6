/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Built into dist/ (copied into the control plane's classpath); every asset is served by Wrenn
// under /assets with a content hash in its name.
export default defineConfig({
  plugins: [svelte()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    // Its timing report is noise in ./wrenn's output.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: {
    proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true } },
  },
  // Vitest (npm test): the lib/ modules in a simulated browser (happy-dom), with Svelte's
  // browser build so that runes ($state) in .svelte.ts modules run as in the page.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    // A busy machine (VMs booting beside it) can slow a fresh module import past the default 5 s.
    testTimeout: 20_000,
  },
});
