/**
 * A chain read from a model: a workload's start identity and the hops of one of its grants'
 * chains, as `xacct build` writes them into the AWS config. The entry `xacct/credentials/model`:
 * it loads the model loader and the compiler, which `xacct/credentials` itself does not.
 */
import { compileModelFile } from "../compile/model-file.js";
import type { Chain } from "../compile/plan.js";
import { sessionNameFor } from "../model/names.js";
import { ChainError, type ChainSpec, checkDurations, type FirstIdentity } from "./chain.js";

/** How each start identity type gets its first credentials inside its runtime. */
function firstOf(chain: Chain): FirstIdentity {
  switch (chain.start.type) {
    case "irsa":
    case "oidc":
      // The token file (IRSA: the projected token; another issuer: where the job writes its ID token) and the first role.
      return {
        type: "web-identity",
        tokenFile: process.env.AWS_WEB_IDENTITY_TOKEN_FILE ?? chain.start.webIdentityTokenFile ?? "",
        roleArn: chain.start.roleArn ?? "",
        sessionName: sessionNameFor(chain.workload),
      };
    case "ecs-task":
    case "pod-identity":
    case "mwaa":
      return { type: "container" };
    case "ec2-instance":
    case "eks-node":
      return { type: "instance" };
    default:
      // iam-user, external, lambda; and sso: the permission set's session from `aws sso login`, exported into the
      // environment (`aws configure export-credentials --profile NAME --format env`), as no other process can read it.
      return { type: "environment" };
  }
}

/**
 * The chain of `workload` in a model file; `profile` picks one of its grants' chains (by its
 * profile name) when it has several that assume roles.
 */
export function chainFromModel(file: string, workload: string, profile?: string, env: NodeJS.ProcessEnv = process.env): ChainSpec {
  const { model, chains } = compileModelFile(file);
  if (!Object.hasOwn(model.workloads, workload))
    throw new ChainError(`${file}: no workload "${workload}" (the model has ${Object.keys(model.workloads).join(", ")})`);
  const own = chains.filter((c) => c.workload === workload);
  const profiles = [...new Set(own.map((c) => c.profile))];
  const picked = profile === undefined ? (profiles.length === 1 ? own : []) : own.filter((c) => c.profile === profile);
  if (picked.length === 0) {
    throw new ChainError(
      profile === undefined
        ? `${file}: workload "${workload}" has the chains ${profiles.join(", ")}: name one with --profile`
        : `${file}: workload "${workload}" has no chain with profile "${profile}" (it has ${profiles.join(", ")})`,
    );
  }
  const chain = picked[0] as Chain;
  const spec: ChainSpec = {
    name: `workload ${workload} profile ${chain.profile}`,
    first: firstOf(chain),
    hops: chain.hops.map((h) => ({
      roleArn: h.roleArn,
      sessionName: h.sessionName,
      durationSeconds: h.durationSeconds,
      ...(h.externalId ? { externalId: h.externalId } : {}),
    })),
    region: chain.region,
  };
  checkDurations(spec, (i) => `${file}: workload "${workload}", hop ${i + 1} (${chain.hops[i]?.roleArn})`, env);
  return spec;
}
