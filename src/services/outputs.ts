/**
 * What a service contributes to the generated files, each part optional: an emitter asks the
 * service's module (`recipeFor(service)?.airflowTasks?.(…)`) and writes its generic output where the
 * service has nothing to say. The format itself (the DAG's layout, the YAML of a pod, how a
 * CloudFormation resource or a Terraform block is wrapped) stays in the emitter; a service gives
 * only its own part, as data or small functions. Text a service writes into Python or a shell goes
 * through the one escaping helper of that format (`src/text/escape.ts`).
 */
import type { Arn } from "../aws/arn.js";
import type { PolicyDocument } from "../state/account-state.js";
import { shellWord } from "../text/escape.js";
import type { Place } from "./recipe.js";

/** One grant as the emitters see it (a compiled chain has at least these fields). */
export interface GrantUse {
  workload: string;
  /** The target account's model name and ID. */
  accountName: string;
  account: string;
  region: string;
  /** None where the grant only attaches managed policies to its role. */
  service?: string;
  access: readonly string[];
  resources: Readonly<Record<string, string | readonly string[]>>;
  via: string;
  start: { type: string };
}

/** The first value the grant gives for a resource name (`bucket`, `job`). */
export function resourceOf(use: GrantUse, name: string): string | undefined {
  const value = use.resources[name];
  return typeof value === "string" ? value : value?.[0];
}

// ---------------------------------------------------------------------------------------------
// Airflow: the example DAG's tasks (src/emit/airflow.ts)

/** The operators' package: apache-airflow-providers-amazon. */
export const AIRFLOW_PROVIDER = "airflow.providers.amazon.aws";

export interface AirflowTask {
  id: string;
  /** `module:Name` to import. */
  imports: string[];
  code: string;
  /** A Python function the task calls, defined once in the DAG file (its lines, without indentation of the DAG). */
  helper?: string[];
}

/** What the DAG gives a service to write its tasks with. */
export interface AirflowDag {
  /** The connection the task uses (raw text: quote it with `pythonLiteral`). */
  connId: string;
  /** A task ID unique in the DAG, made from the text. */
  taskId(text: string): string;
  /** `ID = NAME(task_id=…, ARGS, aws_conn_id=…)`; each argument is already Python (`name=value`). */
  operator(id: string, name: string, args: string[]): string;
}

/** A grant a notes file describes, with how the workload reaches it. */
export interface ServiceNoteUse {
  use: GrantUse;
  /** The profile of the workload's generated AWS config that reaches it; undefined when its own credentials do. */
  profile: string | undefined;
  /** That AWS config's path in the build output. */
  configFile: string;
  /** The identities the grant goes through, in words. */
  path: string;
}

/** A Markdown file of notes for a workload that reaches the service, in its `airflow/` directory. */
export interface AirflowNotes {
  file: string;
  write(workload: string, uses: readonly ServiceNoteUse[]): string;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes: the command a trigger pod runs (src/emit/kubernetes.ts)

/** The AWS CLI command that exercises a grant; `setup` is a shell line run before it. */
export interface CliCommand {
  argv: string[];
  setup?: string;
}

/** Which of the grant's resource names are secrets External Secrets reads, and a secret's (partial) ARN. */
export interface ExternalSecrets {
  resource: string;
  arn(name: string, place: Place): string;
}

// ---------------------------------------------------------------------------------------------
// Markdown: ready client code for consumers (src/emit/markdown.ts)

/** One language's snippet: the emitter writes the header, the target(s), its credentials block, then the body. */
export interface ClientCode {
  /** The install comment, then the imports. */
  header: string[];
  /** The code after the credentials, for the first target's grant. */
  body(first: GrantUse): string[];
}

export interface ClientSnippets {
  /** The target's own fields (camelCase; Python gets them in snake_case), from its grant and the ARN of the resource whose policy holds it. */
  target(use: GrantUse, holderArn: () => string): Record<string, string>;
  /** A sentence before the code, where the consumer has a better way than calling directly. */
  note?(first: GrantUse): string | undefined;
  node: ClientCode;
  python: ClientCode;
}

// ---------------------------------------------------------------------------------------------
// Resource-based policies: how one is applied (src/emit/cloudformation.ts, src/emit/terraform.ts)

/** A value of a Terraform argument: text, or an attribute of a data source the emitter adds. */
export type TerraformValue = string | { data: { type: string; label: string; arguments: Record<string, string>; attribute: string } };

/**
 * A resource of its own that holds (part of) the policy. The CloudFormation logical ID is
 * `cloudformation.prefix` + the PascalCase `names`; the Terraform label the `names` joined by `_`.
 * Where `policyKey` is given, the policy document is the last property under that key. Where the
 * two tools split a policy differently (CloudFormation's AWS::Events::EventBusPolicy holds one
 * statement, Terraform's aws_cloudwatch_event_bus_policy the whole policy), a resource gives one side.
 */
export interface PolicyResource {
  names: string[];
  cloudformation?: { type: string; prefix: string; properties: Record<string, unknown>; policyKey?: string };
  terraform?: { type: string; arguments: Record<string, TerraformValue>; policyKey?: string };
}

/** A policy neither CloudFormation nor Terraform should own: why, and the CLI commands that apply it. */
export interface ByHandSteps {
  why: string;
  commands: string[];
}

export interface PolicyTarget {
  arn: Arn;
  /** The ARN as written. */
  text: string;
  policy: PolicyDocument;
  /** The base name of the files the commands write. */
  file: string;
}

export interface ResourcePolicyRule {
  apply(target: PolicyTarget): { resources: PolicyResource[] } | { byHand: ByHandSteps };
  /**
   * For a resource owned elsewhere (declared `existing`): the commands that merge xacct's
   * statements into its current policy. Without it, a rule whose `apply` is by hand (a merge
   * already) is used, else the generic merge step.
   */
  merge?(target: PolicyTarget): ByHandSteps;
}

/** jq: drop current statements whose Sid ours reuse, then add ours (so re-applying is idempotent). */
export function mergeCommand(policy: PolicyDocument, current: string, merged: string): string {
  const filter = `.Statement = ([.Statement[] | select((.Sid // "") as $s | any($add[]; .Sid == $s) | not)] + $add)`;
  return `jq --argjson add ${shellWord(JSON.stringify(policy.Statement))} ${shellWord(filter)} ${shellWord(current)} > ${shellWord(merged)}`;
}

/** The members a service module may add for the emitters (grouped into `Recipe`). */
export interface ServiceOutputs {
  /** Airflow: the example DAG's tasks for one grant; none (or an empty list) when no operator fits. */
  airflowTasks?: (use: GrantUse, dag: AirflowDag) => AirflowTask[] | undefined;
  /** Airflow: notes for each workload that reaches the service (MWAA's tokens). */
  airflowNotes?: AirflowNotes;
  /** Kubernetes: the AWS CLI command a trigger pod runs for one grant (default: sts get-caller-identity). */
  cliCommand?: (use: GrantUse, place: Place) => CliCommand | undefined;
  /** Kubernetes: the secrets the External Secrets Operator delivers instead of a trigger pod. */
  externalSecrets?: ExternalSecrets;
  /** Markdown: client code for each consumer. */
  clients?: ClientSnippets;
  /** How the service's resource-based policy is applied (default: by hand, with the service's own API). */
  resourcePolicy?: ResourcePolicyRule;
}
