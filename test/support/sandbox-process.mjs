/**
 * A server in a process of its own, driven over the IPC channel of `child_process.fork`, for the
 * load test and the sandbox benchmark: the sandbox itself (from dist/, so run `npm run build`
 * first), or the benchmark's floor, a bare node:http server that answers every request with one
 * fixed body. Nothing secret is ever on a command line: the bootstrap keys go back over IPC.
 *
 * Messages in (each may carry an `id`, echoed in its answer):
 * - `{ type: "start", mode: "sandbox", model, limits? }`: compile the model (YAML text) and start
 *   the sandbox on 127.0.0.1, port 0, with `limits` (SandboxOptions.limits) if given. Answer
 *   `{ type: "ready", url, bootstrap }`.
 * - `{ type: "start", mode: "floor", body, headers }`: start the floor. Answer `{ type: "ready", url }`.
 * - `{ type: "memory" }`: collect garbage (start the process with --expose-gc), then answer
 *   `{ type: "memory", memory: process.memoryUsage(), credentials, held }` (credentials the
 *   sandbox holds; the items and bytes of its store budget).
 * - `{ type: "sweep", at }`: forget the sessions expired at epoch milliseconds `at`, as the
 *   sandbox's periodic sweep does. Answer `{ type: "swept", credentials }`.
 * - `{ type: "close" }`: close the server and exit.
 */
import { Buffer } from "node:buffer";
import { createServer } from "node:http";

/** @type {{ close(): Promise<void> } | undefined} */
let server;
/** @type {import("../../dist/sandbox/index.js").Sandbox | undefined} */
let sandbox;

async function startSandbox(model, limits) {
  const { startSandbox } = await import("../../dist/sandbox/index.js");
  const { compile } = await import("../../dist/compile/compile.js");
  const { loadModel } = await import("../../dist/model/load.js");
  sandbox = await startSandbox({ state: compile(loadModel(model)).state, port: 0, host: "127.0.0.1", ...(limits ? { limits } : {}) });
  server = sandbox;
  return { url: sandbox.url, bootstrap: sandbox.bootstrap };
}

/** The floor: read the request's body as any server must, answer the fixed reply. */
async function startFloor(body, headers) {
  const bytes = Buffer.from(body);
  const http = createServer((req, res) => {
    req.on("data", () => {});
    req.on("end", () => {
      res.writeHead(200, { ...headers, date: new Date().toUTCString(), "content-length": bytes.length });
      res.end(bytes);
    });
  });
  await new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(0, "127.0.0.1", resolve);
  });
  server = {
    close: () =>
      new Promise((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
  return { url: `http://127.0.0.1:${http.address().port}` };
}

/** How many credentials the sandbox holds: its bootstrap keys and the sessions not yet swept. */
const credentials = () => sandbox?.core.store.size;

async function handle(message) {
  switch (message.type) {
    case "start":
      return {
        type: "ready",
        ...(message.mode === "floor"
          ? await startFloor(message.body, message.headers ?? {})
          : await startSandbox(message.model, message.limits)),
      };
    case "memory":
      if (typeof globalThis.gc !== "function") throw new Error("start this process with --expose-gc");
      // Twice: the first collection can leave work (weak references, finalizers) for the second.
      globalThis.gc();
      globalThis.gc();
      return { type: "memory", memory: process.memoryUsage(), credentials: credentials(), held: sandbox?.core.budget.held };
    case "sweep":
      sandbox?.core.store.sweep(message.at);
      return { type: "swept", credentials: credentials() };
    case "close":
      await server?.close();
      process.disconnect();
      return undefined;
    default:
      throw new Error(`unknown message ${JSON.stringify(message.type)}`);
  }
}

process.on("message", (message) => {
  handle(message).then(
    (answer) => answer && process.send({ id: message.id, ...answer }),
    (e) => process.send({ id: message.id, type: "error", message: e instanceof Error ? e.message : String(e) }),
  );
});
