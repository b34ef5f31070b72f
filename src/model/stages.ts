/**
 * Stages and name templates (`examples/002-stage-consumers`): an account may have one ID per
 * stage, a grant may be expanded per mapped stage pair, and names may hold {stage},
 * {consumerStage}, {app} and {consumer}.
 */
import { ModelPathError } from "./load.js";
import type { Model, ModelGrant, WorkloadGrant } from "./schema.js";

export interface TemplateVars {
  app: string;
  /** The workload; none for a grant to organizations or OUs. */
  consumer?: string;
  stage?: string;
  consumerStage?: string;
}

/** Fills `{name}` placeholders; an unknown or unset one is an error naming it. */
export function fillTemplate(text: string, vars: TemplateVars, where: string): string {
  return text.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = Object.hasOwn(vars, key) ? (vars as unknown as Record<string, string | undefined>)[key] : undefined;
    if (value === undefined)
      throw new ModelPathError(where, `the template "${text}" uses {${key}}, which has no value here (is the grant expanded per stage?)`);
    return value;
  });
}

/** The account IDs of a model account: one, or one per stage. */
export function accountIds(model: Model, name: string): { stage?: string; id: string }[] {
  const id = model.accounts[name]?.id;
  if (id === undefined) return [];
  return typeof id === "string" ? [{ id }] : Object.entries(id).map(([stage, value]) => ({ stage, id: value }));
}

/** The key an account entry is stored under in the compiler's name map. */
export function accountKey(name: string, stage?: string): string {
  return stage ? `${name}@${stage}` : name;
}

/** Whether a grant names a workload (grants to organizations and OUs have no instances). */
export function isWorkloadGrant(grant: ModelGrant): grant is WorkloadGrant {
  return grant.workload !== undefined;
}

export interface GrantInstance {
  grant: WorkloadGrant;
  index: number;
  vars: TemplateVars;
  /** Account keys (see accountKey) of the workload and the target. */
  from: string;
  to: string;
}

/**
 * One instance per grant, or one per mapped stage pair for `stages: true`. The target account is
 * taken at the app stage and the workload's account at the consumer stage (or the app stage when
 * it is keyed by those).
 */
export function grantInstances(model: Model): GrantInstance[] {
  return model.grants.flatMap((grant, index) => {
    if (!isWorkloadGrant(grant)) return [];
    const workload = model.workloads[grant.workload];
    if (!workload) return [];
    const vars: TemplateVars = { app: model.name, consumer: grant.workload };
    if (!grant.stages) {
      const from = accountFor(model, workload.account);
      return pickAll(model, grant.account).map((to) => ({
        grant,
        index,
        vars: { ...vars, ...(to.stage ? { stage: to.stage } : {}) },
        from,
        to: to.key,
      }));
    }
    const mapping = model.stages?.consumers?.[grant.workload] ?? model.stages?.consumers?.[workload.account] ?? {};
    return Object.entries(mapping)
      .filter((pair): pair is [string, string] => pair[1] !== null)
      .map(([stage, consumerStage]) => ({
        grant,
        index,
        vars: { ...vars, stage, consumerStage },
        from: accountFor(model, workload.account, consumerStage, stage),
        to: accountFor(model, grant.account, stage),
      }));
  });
}

/** The account key of a model account: the only one, or the one of the first of `stages` it has an ID for. */
export function accountFor(model: Model, name: string, ...stages: (string | undefined)[]): string {
  const ids = accountIds(model, name);
  if (ids.length === 1 && ids[0]?.stage === undefined) return accountKey(name);
  for (const stage of stages) if (stage && ids.some((i) => i.stage === stage)) return accountKey(name, stage);
  throw new ModelPathError(`accounts.${name}.id`, `no ID for stage ${stages.filter(Boolean).join(" or ")}`);
}

function pickAll(model: Model, name: string): { key: string; stage?: string }[] {
  return accountIds(model, name).map((i) => ({ key: accountKey(name, i.stage), ...(i.stage ? { stage: i.stage } : {}) }));
}
