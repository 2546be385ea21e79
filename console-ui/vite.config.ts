import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is built into console-ui/dist and served by the centre at /. In development (`npm run dev`
// in console-ui) Vite proxies the API and the realtime socket to a centre on DLB_CENTRE (default :8080).
const centre = process.env.DLB_CENTRE ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': { target: centre, changeOrigin: false },
      '/socket.io': { target: centre, ws: true },
    },
  },
});
