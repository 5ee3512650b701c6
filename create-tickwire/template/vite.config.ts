import { defineConfig } from 'vite';

// The browser client lives in client/; `vite build` writes it to dist/, which server/main.ts serves.
export default defineConfig({
  root: 'client',
  build: { outDir: '../dist', emptyOutDir: true },
});
