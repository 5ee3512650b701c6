import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** The demo client's directory (its vite.config.ts is there). */
const CLIENT_ROOT = fileURLToPath(new URL('../../client-demo', import.meta.url));

/** Build the demo client with Vite into `outDir`, so the test serves exactly the current sources. */
export async function buildClient(outDir: string): Promise<void> {
  await build({
    root: CLIENT_ROOT,
    configFile: `${CLIENT_ROOT}/vite.config.ts`,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}
