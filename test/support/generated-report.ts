/**
 * The report of an organization made by bench/generate-inventory.mjs: the inventory written into
 * `dir`, then `xacct report --inventory` run on it (progress off: its lines on stderr are not what
 * the browser tests are about). Each test asserts on the two runs itself.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { join } from "node:path";
import { CLI } from "./xacct-cli.js";

const root = join(import.meta.dirname, "..", "..");

export function generatedReport(
  dir: string,
  accounts: number,
  rolesPerAccount: number,
): { inventory: string; file: string; generated: SpawnSyncReturns<string>; built: SpawnSyncReturns<string> } {
  const inventory = join(dir, "inventory");
  const generated = spawnSync(
    process.execPath,
    [join(root, "bench", "generate-inventory.mjs"), inventory, String(accounts), String(rolesPerAccount)],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const file = join(dir, "report.html");
  const built = spawnSync(process.execPath, [CLI, "report", "--inventory", inventory, "-o", file], {
    encoding: "utf8",
    env: { ...process.env, XACCT_PROGRESS: "never" },
  });
  return { inventory, file, generated, built };
}
