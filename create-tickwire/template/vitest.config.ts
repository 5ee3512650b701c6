import { defineConfig } from 'vitest/config';

// Tests run from the project root (vite.config.ts roots the browser build in client/).
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
