/**
 * SARIF 2.1.0 logs of `xacct findings` and `xacct verify`, for code scanning in CI (GitHub's
 * code scanning reads them through github/codeql-action/upload-sarif). One run, its tool the xacct
 * driver with one rule per rule ID that has results; each result at the place in the user's files
 * where what it is about is written (./places.ts), with the ARN as a logical location, and a
 * fingerprint made of what identifies it (its rule, its resource), not of where it is written, so
 * an alert stays the same alert across runs and edits.
 *
 * What GitHub reads, from its "SARIF support for code scanning" reference: `ruleId`,
 * `message.text` (its first sentence is the alert's title), the first of `locations`, which must
 * hold a `physicalLocation` with a file (a result without one is refused), `partialFingerprints`
 * (`primaryLocationLineHash`), and on the rule `shortDescription`, `fullDescription`, `help`,
 * `defaultConfiguration.level`, `properties.tags` and `properties["security-severity"]`, a score
 * above 9.0 read as critical, 7.0–8.9 as high, 4.0–6.9 as medium and 0.1–3.9 as low.
 */
import { createHash } from "node:crypto";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { RULES } from "../graph/findings/index.js";
import { type Finding, type Severity, SEVERITIES } from "../graph/findings/types.js";
import type { VerifyResult } from "../graph/verify.js";
import { sarifText } from "../text/escape.js";
import type { Place, Places } from "./places.js";

/** The schema URI GitHub's reference gives for SARIF 2.1.0 files. */
export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** The URI base ID that relative file URIs are resolved against: the working directory xacct ran in. */
export const SOURCE_ROOT = "%SRCROOT%";

export type SarifLevel = "error" | "warning" | "note";

export interface SarifOptions {
  /** xacct's version, and the page that describes it where there is one. */
  tool: { version: string; informationUri?: string };
  /** Where each result is written. */
  places: Places;
  /** The directory file URIs are made relative to. @default process.cwd() */
  cwd?: string;
}

/** A SARIF 2.1.0 log, as much of it as xacct writes. */
export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: SarifRun[];
}

export interface SarifRun {
  tool: { driver: SarifDriver };
  /** The working directory, against which code scanning makes absolute file URIs relative when the upload names no checkout path. */
  invocations: { executionSuccessful: true; workingDirectory: { uri: string } }[];
  originalUriBaseIds: Record<string, { uri: string }>;
  results: SarifResult[];
}

export interface SarifDriver {
  name: "xacct";
  version: string;
  semanticVersion: string;
  informationUri?: string;
  rules: SarifRule[];
}

export interface SarifRule {
  id: string;
  name?: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; "security-severity"?: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: "inSource"; justification?: string }[];
  properties?: { severity: Severity };
}

export interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number; startColumn?: number };
  };
  logicalLocations?: { fullyQualifiedName: string; kind: string }[];
}

/** SARIF's level for each severity: the two highest fail a build, as `--fail-on high` does. */
const LEVELS: Readonly<Record<Severity, SarifLevel>> = { critical: "error", high: "error", medium: "warning", low: "note" };

/** Most severe first. */
const LEVEL_ORDER: readonly SarifLevel[] = ["error", "warning", "note"];

/** GitHub's security-severity score for each severity, inside the band GitHub reads as that severity. */
const SCORES: Readonly<Record<Severity, string>> = { critical: "9.5", high: "8.0", medium: "5.5", low: "2.0" };

/** The rules of verify's own failures (findings keep their XA IDs). */
const VERIFY_RULES = {
  grant: {
    id: "XV001",
    name: "GrantNotPossible",
    summary: "a grant of the model is not possible: a trust, a permission or a resource policy on its path is missing or denied",
    help: "Each result names the grant, the step of its path that fails and why. Apply what xacct build writes for the grant, or correct the grant in the model.",
    tags: ["correctness"],
  },
  unknown: {
    id: "XV002",
    name: "GrantUndecided",
    summary:
      "a grant of the model is neither proven nor disproven: it depends on attached policies whose documents the inventory does not hold",
    help: "Each result names the policies. Collect an inventory that holds their documents (xacct collect) and verify again.",
    tags: ["correctness"],
  },
  undeclared: {
    id: "XV003",
    name: "UndeclaredCrossAccountAccess",
    summary: "a principal can assume a role in another account, and no grant of the model declares it",
    help: "Each result names the principal and the role. Remove the trust or the permission that opens the path, or declare the access as a grant in the model if it is wanted.",
    tags: ["security"],
  },
  drift: {
    id: "XV004",
    name: "DeployedDiffersFromModel",
    summary: "what is deployed differs from what the model declares",
    help: "Each result names the resource, what differs and what to do: apply the model again (xacct build, then deploy what it writes), or declare what is deployed in the model if the access is wanted.",
    tags: ["security"],
  },
} as const;

/** The SARIF log of `xacct findings`: one result per finding. */
export function findingsSarif(findings: readonly Finding[], options: SarifOptions): SarifLog {
  const log = new LogBuilder(options);
  for (const finding of findings) log.finding(finding);
  return log.done();
}

/**
 * The SARIF log of `xacct verify`: each failure a result — a grant that is not possible (or
 * undecided), cross-account access the model does not declare, drift, a finding at or above
 * `--fail-on` — and each finding the model accepts a result suppressed in the model. A model that
 * holds gives a run with no results (which closes earlier alerts).
 */
export function verifySarif(result: VerifyResult, options: SarifOptions): SarifLog {
  const log = new LogBuilder(options);
  for (const check of result.grants) {
    if (check.possible) continue;
    const rule = check.unknown ? VERIFY_RULES.unknown : VERIFY_RULES.grant;
    log.add(rule, check.unknown ? "warning" : "error", undefined, {
      text: `grants[${check.grant}] ${check.unknown ? "is undecided" : "is not possible"}: ${check.summary}. ${check.reason ?? ""}`,
      place: options.places.ofGrant(check.grant),
      logical: check.path.map((arn) => ({ fullyQualifiedName: arn, kind: "principal" })),
      identity: [check.workload, check.summary],
    });
  }
  for (const edge of result.undeclared)
    log.add(VERIFY_RULES.undeclared, LEVELS.high, "high", {
      text: `Undeclared cross-account access to ${edge.to}. ${edge.why}.`,
      place: options.places.ofArn(edge.to),
      logical: [
        { fullyQualifiedName: edge.to, kind: "resource" },
        { fullyQualifiedName: edge.from, kind: "principal" },
      ],
      identity: [edge.from, edge.to],
    });
  for (const drift of result.drift)
    log.add(VERIFY_RULES.drift, LEVELS.high, "high", {
      text: `${drift.resource} differs from the model. ${drift.problem}. Fix: ${drift.fix}.`,
      place: options.places.ofArn(drift.resource),
      logical: [{ fullyQualifiedName: drift.resource, kind: "resource" }],
      identity: [drift.resource, drift.problem],
    });
  for (const finding of result.findings) log.finding(finding);
  for (const finding of result.accepted) log.finding(finding, true);
  return log.done();
}

interface RuleText {
  id: string;
  /** A readable name, where the rule has one besides its ID. */
  name?: string;
  summary: string;
  help: string;
  tags: readonly string[];
}

interface ResultText {
  text: string;
  place: Place;
  logical: { fullyQualifiedName: string; kind: string }[];
  /** What identifies the result across runs, besides its rule. */
  identity: readonly string[];
}

/** The rules of a finding's ID: its summary from RULES. */
const FINDING_RULES: ReadonlyMap<string, RuleText> = new Map(
  RULES.map((rule) => [
    rule.id,
    {
      id: rule.id,
      summary: rule.summary,
      help: `Each result names the resource, what xacct found and, after "Fix:", the change that removes it for that resource (xacct findings prints the same).`,
      tags: ["security"],
    },
  ]),
);

class LogBuilder {
  private readonly rules = new Map<string, { rule: SarifRule; index: number; severity?: Severity }>();
  private readonly results: SarifResult[] = [];
  private readonly cwd: string;
  /** The working directory as a file URI ending in "/". */
  private readonly root: string;

  constructor(private readonly options: SarifOptions) {
    this.cwd = resolve(options.cwd ?? process.cwd());
    this.root = pathToFileURL(this.cwd).href.replace(/\/?$/, "/");
  }

  finding(finding: Finding, accepted = false): void {
    const rule = FINDING_RULES.get(finding.id) ?? {
      id: finding.id,
      summary: finding.title,
      help: "",
      tags: ["security"],
    };
    const subjects = finding.path?.length ? [finding.resource, ...finding.path.filter((p) => p !== finding.resource)] : [finding.resource];
    this.add(rule, LEVELS[finding.severity], finding.severity, {
      text: `${finding.title}: ${finding.resource}. ${finding.detail} Fix: ${finding.fix}`,
      place: this.options.places.ofArn(finding.resource),
      logical: subjects.map((arn, i) => ({ fullyQualifiedName: arn, kind: i === 0 ? "resource" : "principal" })),
      // What tells a finding apart (as findings() keeps each once): one rule may find several
      // statements of one resource, and results sharing a fingerprint are one alert to GitHub.
      identity: [finding.resource, finding.title, finding.detail, ...(finding.path ?? [])],
      ...(accepted ? { accepted } : {}),
    });
  }

  add(rule: RuleText, level: SarifLevel, severity: Severity | undefined, result: ResultText & { accepted?: boolean }): void {
    const entry = this.ruleEntry(rule, level, severity);
    const fingerprint = createHash("sha256")
      .update(JSON.stringify([rule.id, ...result.identity]))
      .digest("hex");
    this.results.push({
      ruleId: rule.id,
      ruleIndex: entry.index,
      level,
      message: { text: sarifText(result.text) },
      locations: [{ physicalLocation: this.physical(result.place), logicalLocations: result.logical }],
      partialFingerprints: { primaryLocationLineHash: fingerprint, "xacct/v1": fingerprint },
      ...(result.accepted ? { suppressions: [{ kind: "inSource" as const, justification: "accepted in the model (accept:)" }] } : {}),
      ...(severity ? { properties: { severity } } : {}),
    });
  }

  done(): SarifLog {
    return {
      $schema: SARIF_SCHEMA,
      version: "2.1.0",
      runs: [
        {
          tool: {
            driver: {
              name: "xacct",
              version: this.options.tool.version,
              semanticVersion: this.options.tool.version,
              ...(this.options.tool.informationUri ? { informationUri: this.options.tool.informationUri } : {}),
              rules: [...this.rules.values()].map((r) => r.rule),
            },
          },
          invocations: [{ executionSuccessful: true, workingDirectory: { uri: this.root } }],
          originalUriBaseIds: { [SOURCE_ROOT]: { uri: this.root } },
          results: this.results,
        },
      ],
    };
  }

  /** The rule's entry: its default level and security severity those of its most severe result so far. */
  private ruleEntry(text: RuleText, level: SarifLevel, severity: Severity | undefined) {
    let entry = this.rules.get(text.id);
    if (!entry) {
      entry = {
        index: this.rules.size,
        rule: {
          id: text.id,
          ...(text.name ? { name: text.name } : {}),
          shortDescription: { text: sarifText(text.summary) },
          fullDescription: { text: sarifText(text.summary) },
          help: { text: sarifText(`${text.summary}.\n\n${text.help}`) },
          defaultConfiguration: { level },
          properties: { tags: [...text.tags] },
        },
      };
      this.rules.set(text.id, entry);
    }
    const rule = entry.rule;
    if (LEVEL_ORDER.indexOf(level) < LEVEL_ORDER.indexOf(rule.defaultConfiguration.level)) rule.defaultConfiguration.level = level;
    if (severity && (entry.severity === undefined || SEVERITIES.indexOf(severity) < SEVERITIES.indexOf(entry.severity))) {
      entry.severity = severity;
      rule.properties["security-severity"] = SCORES[severity];
    }
    return entry;
  }

  /** A file as SARIF names it: relative to the working directory (under SOURCE_ROOT), or an absolute file URI outside it. */
  private physical(place: Place): SarifLocation["physicalLocation"] {
    const path = resolve(this.cwd, place.file);
    const rel = relative(this.cwd, path);
    const inside = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
    const artifactLocation = inside
      ? { uri: rel.split(sep).map(encodeURIComponent).join("/"), uriBaseId: SOURCE_ROOT }
      : { uri: pathToFileURL(path).href };
    return {
      artifactLocation,
      ...(place.line ? { region: { startLine: place.line, ...(place.column ? { startColumn: place.column } : {}) } } : {}),
    };
  }
}
