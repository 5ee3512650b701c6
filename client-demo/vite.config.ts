import { defineConfig } from 'vite';
import { tickwireSourceAliases } from '../scripts/source-aliases.ts';

/** The server `npm run dev` starts next to Vite; `/ws`, `/health`, `/auth` and `/matchmake` are proxied to it. */
const gameServer = process.env.DEMO_SERVER_URL ?? 'http://localhost:8080';

export default defineConfig({
  root: import.meta.dirname,
  resolve: { alias: tickwireSourceAliases },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Phaser alone is over a megabyte; splitting it would not make the first load any faster.
    chunkSizeWarningLimit: 2500,
  },
  server: {
    port: Number(process.env.VITE_PORT ?? 5173),
    proxy: {
      '/ws': { target: gameServer.replace(/^http/, 'ws'), ws: true },
      '/health': gameServer,
      '/auth': gameServer,
      // The Host header kept: the seat's address is made absolute against it, so the page dials
      // Vite's /ws (proxied above), never the game server's port behind it.
      '/matchmake': { target: gameServer, changeOrigin: false },
    },
  },
});
