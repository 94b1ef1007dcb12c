import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The app imports the client's TypeScript sources (one copy of the code, no build step).
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { '@bulwark/client': fileURLToPath(new URL('../../clients/ts/src/index.ts', import.meta.url)) },
  },
  build: { outDir: 'dist', chunkSizeWarningLimit: 4096 },
  preview: { host: '127.0.0.1', strictPort: true },
});
