import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

// The UI builds to ui/dist, which the Tauri shell embeds and the HTTP bridge serves.
// In browser development (`npm run dev`), /api goes to a bridge started with --port 5199.
export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  server: { proxy: { "/api": "http://127.0.0.1:5199" } },
  test: { root, include: ["src/**/*.test.ts"], environment: "node" },
});
