/**
 * The sandbox `npm run bench:collect` collects from, in a process of its own (forked; one core for
 * it, one for the collect process): the synthetic organization of bench/generate-inventory.mjs
 * loaded as an inventory, with in every account the audit role xacct-audit (allowing exactly the
 * actions collect needs, src/services collectActions) trusting the management account's user
 * `auditor`, who may assume it and read the organization. Over IPC:
 * - `{ type: "start", inventory }` → `{ type: "ready", url, keys, management }` (the auditor's
 *   keys go back over IPC, never on a command line);
 * - `{ type: "close" }`: close the sandbox and exit.
 */
import { join } from "node:path";
import { fileURLToPath, URL } from "node:url";

const dist = join(fileURLToPath(new URL("..", import.meta.url)), "dist");
let sandbox;

async function start(inventory) {
  const { loadInventory } = await import(join(dist, "state/inventory.js"));
  const { collectActions } = await import(join(dist, "services/index.js"));
  const { startSandbox } = await import(join(dist, "sandbox/index.js"));
  const state = loadInventory(inventory);
  const management = state.organization?.managementAccount;
  if (!management) throw new Error("the generated organization names no management account");
  const auditor = `arn:aws:iam::${management}:user/auditor`;
  const read = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: collectActions(), Resource: "*" }] };
  for (const account of state.accounts.values()) {
    account.roles.set("xacct-audit", {
      name: "xacct-audit",
      path: "/",
      arn: `arn:aws:iam::${account.id}:role/xacct-audit`,
      trustPolicy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: auditor }, Action: "sts:AssumeRole" }],
      },
      policies: new Map([["read-only-audit", read]]),
      managedPolicyArns: [],
      maxSessionDuration: 3600,
      tags: new Map(),
    });
  }
  state.accounts.get(management).users.set("auditor", {
    name: "auditor",
    path: "/",
    arn: auditor,
    policies: new Map([
      [
        "collect",
        {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: collectActions(), Resource: "*" },
            { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/xacct-audit" },
          ],
        },
      ],
    ]),
    managedPolicyArns: [],
    accessKeys: true,
    groups: [],
    tags: new Map(),
  });
  sandbox = await startSandbox({ state, port: 0, host: "127.0.0.1", managementAccounts: [management] });
  const boot = sandbox.bootstrap.find((b) => b.userArn === auditor);
  return { url: sandbox.url, management, keys: { accessKeyId: boot.accessKeyId, secretAccessKey: boot.secretAccessKey } };
}

// Its parent gone (a failed benchmark), the sandbox goes too.
process.on("disconnect", () => process.exit(0));
process.on("message", (message) => {
  const answer =
    message.type === "start"
      ? start(message.inventory).then((ready) => ({ type: "ready", ...ready }))
      : sandbox.close().then(() => (process.disconnect(), undefined));
  answer.then(
    (a) => a && process.send(a),
    (e) => process.send({ type: "error", message: e instanceof Error ? e.stack : String(e) }),
  );
});
