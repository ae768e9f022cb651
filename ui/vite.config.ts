import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Tauri serves dist/ in the app and proxies the dev server on a fixed port (tauri.conf.json devUrl).
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: 'dist',
    // Fonts as files, not data: URLs, so the CSP's font-src 'self' is enough.
    assetsInlineLimit: 0,
    // Two windows, two pages: the presenter's and the projector's.
    rollupOptions: {
      input: { presenter: 'index.html', audience: 'audience.html' },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
  },
  // Svelte's client runtime (mount) rather than its server build in tests.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
});
