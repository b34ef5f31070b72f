/**
 * The rules a name must meet in the system it lands in, in one place: IAM and STS (AWS's IAM and
 * STS quotas page and API reference), the AWS config file, Kubernetes (DNS-1123), EKS, MWAA,
 * container images and cron. The model's schema checks every name against these at load, and the
 * compiler makes the names it derives (default role, policy, session and profile names) here, so
 * that what load accepts is what the build writes.
 */
import { Cron } from "croner";

export interface NameRule {
  /** What the name is, for messages ("an IAM role name"). */
  what: string;
  /** The whole name, anchored, length included. */
  pattern: RegExp;
  /** What the pattern allows, in words. */
  allowed: string;
}

const rule = (what: string, pattern: RegExp, allowed: string): NameRule => ({ what, pattern, allowed });

/** `[\w+=,.@-]`: the characters of IAM user, role and policy names and of STS role session names. */
const IAM_CHARS = "[\\w+=,.@-]";
const IAM_WORDS = "letters, digits and + = , . @ _ -";

/** IAM CreateRole RoleName: 1–64 of `[\w+=,.@-]`. */
export const IAM_ROLE_NAME = rule("an IAM role name", new RegExp(`^${IAM_CHARS}{1,64}$`), `1 to 64 ${IAM_WORDS}`);
/** IAM CreateUser UserName: 1–64 of `[\w+=,.@-]`. */
export const IAM_USER_NAME = rule("an IAM user name", new RegExp(`^${IAM_CHARS}{1,64}$`), `1 to 64 ${IAM_WORDS}`);
/** IAM PutRolePolicy / PutUserPolicy PolicyName: 1–128 of `[\w+=,.@-]`. */
export const IAM_POLICY_NAME = rule("an IAM policy name", new RegExp(`^${IAM_CHARS}{1,128}$`), `1 to 128 ${IAM_WORDS}`);
/** IAM Path: `/`, or 1–512 characters from `!` to `~` beginning and ending with `/`. */
export const IAM_PATH = rule(
  "an IAM path",
  /^(?=.{1,512}$)(\/|\/[\x21-\x7E]*\/)$/,
  "/ alone, or up to 512 printable ASCII characters without spaces that begin and end with /",
);
/** STS AssumeRole RoleSessionName: 2–64 of `[\w+=,.@-]`. */
export const ROLE_SESSION_NAME = rule("a role session name", new RegExp(`^${IAM_CHARS}{2,64}$`), `2 to 64 ${IAM_WORDS}`);
/** STS AssumeRole ExternalId: 2–1224 of `[\w+=,.@:/-]`. */
export const EXTERNAL_ID = rule("an external ID", /^[\w+=,.@:/-]{2,1224}$/, "2 to 1224 letters, digits and + = , . @ : / _ -");
/** An IAM principal ARN: an account's root, or a role or user with its path. */
export const IAM_PRINCIPAL_ARN = rule(
  "an IAM principal ARN",
  /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(root|(role|user)\/(?:[\x21-\x7E]{0,510}\/)?[\w+=,.@-]{1,64})$/,
  "arn:PARTITION:iam::ACCOUNT:root, or :role/NAME or :user/NAME (with a path of printable ASCII when it has one)",
);

/**
 * A profile of the AWS config file, as xacct writes it (`[profile NAME]`). AWS sets no rule for
 * the name; xacct takes IAM's characters, starting with a letter or digit (so that it is never
 * read as a command-line option), at most 64 long: never whitespace, `[`, `]`, `#`, `;` or a
 * line break, which the config file cannot hold in a section name.
 */
export const AWS_PROFILE_NAME = rule(
  "an AWS config profile name",
  /^[A-Za-z0-9][\w+=,.@-]{0,63}$/,
  `1 to 64 ${IAM_WORDS}, starting with a letter or digit`,
);

/** IAM Identity Center CreatePermissionSet Name: 1–32 of `[\w+=,.@-]`. */
export const PERMISSION_SET_NAME = rule("a permission set name", new RegExp(`^${IAM_CHARS}{1,32}$`), `1 to 32 ${IAM_WORDS}`);

/** A Kubernetes DNS-1123 label (namespaces): 1–63 lower-case letters, digits and `-`, alphanumeric at both ends. */
export const DNS_LABEL = rule(
  "a Kubernetes DNS-1123 label",
  /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  "1 to 63 lower-case letters, digits and -, starting and ending with a letter or digit",
);
/** A Kubernetes DNS-1123 subdomain (service accounts, most objects): up to 253, labels joined by dots. */
export const DNS_SUBDOMAIN = rule(
  "a Kubernetes DNS-1123 subdomain",
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  "1 to 253 lower-case letters, digits, - and ., each dot-separated part starting and ending with a letter or digit",
);
/** A service account name in an IRSA trust: a DNS-1123 subdomain in which `*` and `?` may stand for characters. */
export const SERVICE_ACCOUNT_PATTERN = rule(
  "a service account name or pattern",
  /^(?=.{1,253}$)[a-z0-9*?]([-a-z0-9.*?]*[a-z0-9*?])?$/,
  "a DNS-1123 subdomain, in which * and ? may stand for characters",
);
/** EKS CreateCluster name: 1–100, `^[0-9A-Za-z][A-Za-z0-9\-_]*$`. */
export const EKS_CLUSTER_NAME = rule(
  "an EKS cluster name",
  /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/,
  "1 to 100 letters, digits, - and _, starting with a letter or digit",
);
/** MWAA CreateEnvironment Name: 1–80, `^[a-zA-Z][0-9a-zA-Z-_]*$`. */
export const MWAA_ENVIRONMENT_NAME = rule(
  "an MWAA environment name",
  /^[A-Za-z][0-9A-Za-z_-]{0,79}$/,
  "1 to 80 letters, digits, - and _, starting with a letter",
);
/** A container image reference (the distribution reference grammar: [registry/]path[:tag][@digest]). */
export const IMAGE_REFERENCE = rule(
  "a container image reference",
  /^(?=.{1,512}$)(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/,
  "[registry/]name[:tag][@digest] as Docker and Kubernetes read it",
);
/**
 * Text that lands in IAM policies (resource names, prefixes, paths): what a policy document may
 * hold (U+0020 to U+00FF), without the control characters, so never a line break.
 */
export const POLICY_TEXT = rule(
  "policy text",
  /^[\x20-\x7E\xA0-\xFF]*$/,
  "printable characters from U+0020 to U+00FF (no line breaks or control characters)",
);

/** S3 general purpose bucket names: 3–63 lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit. */
export const S3_BUCKET_NAME = rule(
  "an S3 bucket name",
  /^(?=.{3,63}$)[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/,
  "3 to 63 lower-case letters, digits, . and -, starting and ending with a letter or digit",
);

/** DynamoDB TableName: 3–255 of `[a-zA-Z0-9_.-]`. */
export const DYNAMODB_TABLE_NAME = rule("a DynamoDB table name", /^[\w.-]{3,255}$/, "3 to 255 letters, digits, _, . and -");
/** SNS CreateTopic Name: 1–256 letters, digits, `-` and `_`, `.fifo` at the end of a FIFO topic's. */
export const SNS_TOPIC_NAME = rule(
  "an SNS topic name",
  /^(?=[\w-]{1,256}(?:\.fifo)?$)[\w-]+(?:\.fifo)?$/,
  "1 to 256 letters, digits, - and _ (and .fifo at the end of a FIFO topic's)",
);
/** Step Functions CreateStateMachine name: 1–80 characters, none of whitespace, `< > { } [ ] ? * " # % \ ^ | ~ \` $ & , ; : /` or control characters. */
export const STATE_MACHINE_NAME = rule(
  "a Step Functions state machine name",
  /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u,
  '1 to 80 characters without whitespace, < > { } [ ] ? * " # % \\ ^ | ~ ` $ & , ; : / or control characters',
);
/** EventBridge event bus Name: 1–256 of `[/\.\-_A-Za-z0-9]`. */
export const EVENT_BUS_NAME = rule("an EventBridge event bus name", /^[\w./-]{1,256}$/, "1 to 256 letters, digits, /, ., - and _");

/** The rule of a grant's resource name by its kind, where AWS sets one beyond policy text. */
export const RESOURCE_NAME_RULES: ReadonlyMap<string, NameRule> = new Map([
  ["bucket", S3_BUCKET_NAME],
  ["results-bucket", S3_BUCKET_NAME],
  ["table", DYNAMODB_TABLE_NAME],
  ["topic", SNS_TOPIC_NAME],
  ["state-machine", STATE_MACHINE_NAME],
  ["event-bus", EVENT_BUS_NAME],
]);

/** The placeholders of name templates. */
export const TEMPLATE_VARIABLES = ["app", "consumer", "stage", "consumerStage"] as const;

/**
 * A template of a name under `rule`: the rule's characters and `{app}`, `{consumer}`, `{stage}`,
 * `{consumerStage}`. The filled name is checked against the rule itself (see derived names).
 */
export function templateOf(named: NameRule, chars: string): NameRule {
  const variables = TEMPLATE_VARIABLES.map((v) => `\\{${v}\\}`).join("|");
  return rule(named.what, new RegExp(`^(?:${chars}|${variables})+$`), `${named.allowed}; {${TEMPLATE_VARIABLES.join("}, {")}} allowed`);
}
export const IAM_ROLE_TEMPLATE = templateOf(IAM_ROLE_NAME, IAM_CHARS);
export const AWS_PROFILE_TEMPLATE = templateOf(AWS_PROFILE_NAME, IAM_CHARS);

/** Why `value` breaks `named`, or undefined when it does not. */
export function nameProblem(named: NameRule, value: string): string | undefined {
  if (named.pattern.test(value)) return undefined;
  return `${quoted(value)} is not ${named.what}: use ${named.allowed}`;
}

/** A value for a message: quoted and cut short (formatProblem shows any control character left escaped). */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** The presets both a Kubernetes CronJob and Airflow accept. */
export const CRON_PRESETS = ["@hourly", "@daily", "@weekly", "@monthly", "@yearly"] as const;

/**
 * Why a cron schedule is refused, or undefined: five fields (minute hour day-of-month month
 * day-of-week) as a Kubernetes CronJob and Airflow both read them, checked by croner; or a preset
 * both accept.
 */
export function cronProblem(schedule: string): string | undefined {
  if ((CRON_PRESETS as readonly string[]).includes(schedule)) return undefined;
  const fields = schedule.split(" ").filter((f) => f !== "");
  if (!/^[\x21-\x7E ]+$/.test(schedule) || fields.length !== 5) {
    return `${quoted(schedule)} is not a cron schedule: use five fields (minute hour day-of-month month day-of-week) separated by spaces, or one of ${CRON_PRESETS.join(", ")}`;
  }
  try {
    new Cron(schedule, { paused: true });
    return undefined;
  } catch (error) {
    return `${quoted(schedule)} is not a cron schedule: ${(error as Error).message.replace(/^CronPattern: /, "")}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The names xacct derives

/** The session name xacct gives a workload's AssumeRole calls: `xacct-WORKLOAD`, within the rule. */
export function sessionNameFor(workload: string): string {
  return `xacct-${workload}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}

/** The role a workload assumes in a target account when the grant names none. */
export function defaultTargetRoleName(workload: string): string {
  return `xacct-${workload}`;
}

/** What stands for the service in a grant's policy and profile names where it names none (it only attaches managed policies). */
export const MANAGED_ONLY = "managed";

/** The inline policy a grant writes on a role or user: `xacct-SERVICE-ACCOUNT`. */
export function grantPolicyName(service: string, accountLabel: string): string {
  return `xacct-${service}-${accountLabel}`;
}

/** A grant's profile when neither the grant nor the workload names one: `ACCOUNT-SERVICE`. */
export function defaultProfileName(accountLabel: string, service: string): string {
  return `${accountLabel}-${service}`;
}
