/**
 * Writes examples/combined/xacct.yaml: the five seed examples merged into one platform model,
 * with the account IDs that seeds share renumbered. `npm run examples:combine` runs it; a test
 * checks the committed file is what this script writes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Per seed: account IDs to renumber so that no two seeds share an account. */
const SEEDS = {
  "000-sparkflows-mwaa": { 111111111111: "100000000001", 222222222222: "100000000002" },
  "001-cats-external": {},
  "002-stage-consumers": {},
  "003-airflow-multi-account": { 333333333333: "300000000003", 111111111111: "300000000001", 222222222222: "300000000002" },
  "004-emr-eks-chain": { 111111111111: "400000000001", 222222222222: "400000000002" },
};

const HEADER = `# All five seeds as one platform model: the main job of the README builds this file.
# Written by scripts/combine-examples.mjs from examples/00*/xacct.yaml (account IDs of seeds 000,
# 003 and 004 renumbered); edit the seed examples and run \`npm run examples:combine\`.
`;

export function combinedModelText() {
  const combined = { version: 1, name: "platform", accounts: {}, stages: undefined, clusters: {}, workloads: {}, grants: [], accept: [] };
  for (const [seed, ids] of Object.entries(SEEDS)) {
    let text = readFileSync(join(root, "examples", seed, "xacct.yaml"), "utf8");
    for (const [from, to] of Object.entries(ids)) text = text.replaceAll(from, to);
    // {app} is the model's name: keep seed 002's.
    const model = parse(text.replaceAll("{app}", parse(text).name));
    for (const key of ["accounts", "clusters", "workloads"]) {
      for (const [name, value] of Object.entries(model[key] ?? {})) {
        if (name in combined[key]) throw new Error(`${seed}: ${key}.${name} is defined by another seed too`);
        combined[key][name] = value;
      }
    }
    if (model.stages) combined.stages = model.stages;
    combined.grants.push(...model.grants);
    combined.accept.push(...(model.accept ?? []));
  }
  if (!combined.stages) delete combined.stages;
  return HEADER + stringify(combined, { lineWidth: 140 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(root, "examples", "combined", "xacct.yaml"), combinedModelText());
}
