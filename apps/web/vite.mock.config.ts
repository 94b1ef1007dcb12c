import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The browser test's mock Keplr as one script injected before the app loads (never part of
// the app's own bundle).
export default defineConfig({
  build: {
    outDir: 'dist-test',
    emptyOutDir: true,
    lib: {
      entry: fileURLToPath(new URL('./test/mock-keplr.ts', import.meta.url)),
      name: 'BulwarkMockKeplr',
      formats: ['iife'],
      fileName: () => 'mock-keplr.js',
    },
  },
});
