// The console's single-page app: `vite build --config apps/console/web/vite.config.mjs` writes apps/console/dist,
// which the console's server (apps/console/src) serves. Type checking is separate: tsc -p apps/console/web/tsconfig.json.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: resolve(here, '../dist'),
    emptyOutDir: true,
    // The Content-Security-Policy allows no inline script or style: nothing is inlined, every asset is a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
