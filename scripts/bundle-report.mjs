/**
 * Bundles the report's page (src/report/client/, TypeScript for the browser) with esbuild into
 * one script, dist/report/client.js, and its stylesheet into dist/report/client.css; the report
 * writer inlines both into every HTML file it writes. Part of `npm run build`.
 */
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const common = { bundle: true, minify: true, legalComments: "eof", logLevel: "warning", target: ["chrome100", "firefox100", "safari15"] };

await build({
  ...common,
  entryPoints: [join(root, "src/report/client/main.ts")],
  // A module (inlined as <script type="module">): its top-level await decodes the page's data.
  format: "esm",
  outfile: join(root, "dist/report/client.js"),
});
await build({ ...common, entryPoints: [join(root, "src/report/client/style.css")], outfile: join(root, "dist/report/client.css") });
