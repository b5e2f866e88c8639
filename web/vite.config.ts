import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The dev server proxies the API to a running mesh (AIMEE_API, default the local Envoy).
const api = process.env.AIMEE_API || "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { "/api": api, "/health": api, "/ws": { target: api, ws: true } } },
  test: { environment: "jsdom", globals: true, include: ["src/**/*.test.tsx", "src/**/*.test.ts"] },
});
