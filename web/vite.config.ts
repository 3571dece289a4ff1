import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web app. `vite web` serves it in development and proxies /api (and the live socket) to
 * the desk on 127.0.0.1:3000 (DESK_URL to change it); `vite build web` writes web/dist, which the
 * desk serves in production (same origin, so cookies, CSRF and the CSP's 'self' all hold).
 */
const desk = process.env.DESK_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // no inline scripts or styles: the CSP is default-src 'self'
    assetsInlineLimit: 0,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: desk, ws: true },
    },
  },
});
