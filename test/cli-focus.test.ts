/**
 * Narrowing what the commands show to what a person asks about (`--account`, `--workload`,
 * `--focus ARN --depth N` on report, graph, who-can and reach), `graph` honest about size from the
 * command line, and progress on stderr (a bar in a real terminal, lines in a log).
 */
import { spawnSync } from "node:child_process";
import { PassThrough } from "node:stream";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { progress } from "../src/cli/progress.js";
import { generatedInventory } from "./support/diagram-graphs.js";
import { reportOfPage } from "./support/report-page.js";
import { examplesDir } from "./support/state.js";
import { CLI, xacct } from "./support/xacct-cli.js";

const SEED_004 = join(examplesDir, "004-emr-eks-chain", "xacct.yaml");
const COMBINED = join(examplesDir, "combined", "xacct.yaml");
const JOB_ROLE = "arn:aws:iam::111111111111:role/job-execution-role-1";
const CLIENT_ROLE = "arn:aws:iam::222222222222:role/client-role-2";
const LAKE = "arn:aws:s3:::datalake-222222222222-us-east-1";
const OWN_BUCKET = "arn:aws:s3:::emr-on-eks-test-111111111111-us-east-1";
/** What a terminal shows after the progress bar's line was last erased (carriage return, erase line). */
function afterBar(output: string): string {
  const erase = "\r\u001b[K";
  const at = output.lastIndexOf(erase);
  expect(at).toBeGreaterThanOrEqual(0);
  return output.slice(at + erase.length).replace(/^\r?\n/, "");
}

const work = mkdtempSync(join(tmpdir(), "xacct-cli-focus-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("--account, --workload and --focus on who-can and reach", () => {
  it("who-can lists only the principals of the accounts asked about", () => {
    // GIVEN seed 004, where job-execution-role-1 (account A) and client-role-2 (account B) can both list the data lake
    const all = xacct(["who-can", "--model", SEED_004, "--action", "s3:ListBucket", "--resource", LAKE, "--json"]);
    const principals = (r: typeof all) =>
      (JSON.parse(r.stdout) as { principals: { principal: string }[] }).principals.map((p) => p.principal);
    expect(principals(all)).toEqual(expect.arrayContaining([JOB_ROLE, CLIENT_ROLE]));
    // WHEN asked for account A's only
    const a = xacct([
      "who-can",
      "--model",
      SEED_004,
      "--action",
      "s3:ListBucket",
      "--resource",
      LAKE,
      "--account",
      "111111111111",
      "--json",
    ]);
    // THEN only account A's principals are listed
    expect(a.status).toBe(0);
    expect(principals(a)).toContain(JOB_ROLE);
    expect(principals(a).every((p) => p.includes(":111111111111:"))).toBe(true);
    // AND the answer says how many it left out (client-role-2 at least)
    expect((JSON.parse(a.stdout) as { outsideFocus: number }).outsideFocus).toBeGreaterThanOrEqual(1);
  });

  it('says "nobody in the focus" and how many are outside it, never a bare "nobody"', () => {
    // GIVEN account A's own bucket, which job-execution-role-1 (account A) can list, and a focus on account B alone
    const r = xacct([
      "who-can",
      "--model",
      SEED_004,
      "--action",
      "s3:ListBucket",
      "--resource",
      OWN_BUCKET,
      "--focus",
      CLIENT_ROLE,
      "--depth",
      "0",
    ]);
    // THEN no principal of the focus can, and the answer says others outside it can
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^nobody in the focus\n\(\d+ more outside the focus: drop --account, --workload or --focus to see them\)\n$/);
  });

  it("who-can keeps a web identity within --depth steps of --focus, and takes its provider's ARN as the focus", () => {
    // GIVEN seed 004, where the EKS cluster's service accounts (a web identity of account A's OIDC
    // provider) reach the data lake through job-execution-role-1 and client-role-2
    const ask = (...focus: string[]) =>
      JSON.parse(xacct(["who-can", "--model", SEED_004, "--action", "s3:ListBucket", "--resource", LAKE, ...focus, "--json"]).stdout) as {
        principals: { principal: string }[];
        outsideFocus?: number;
      };
    const all = ask().principals.map((p) => p.principal);
    const provider = all.find((p) => p.includes(":oidc-provider/"));
    expect(provider).toBeDefined();
    // WHEN focused two steps around client-role-2, THEN every principal is in the focus, the web identity too
    const around = ask("--focus", CLIENT_ROLE, "--depth", "2");
    expect(around.principals.map((p) => p.principal).sort()).toEqual([...all].sort());
    expect(around.outsideFocus).toBe(0);
    // WHEN focused one step around the provider's ARN (as who-can names it), THEN it and the role it becomes are listed
    const near = ask("--focus", provider as string, "--depth", "1");
    expect(near.principals.map((p) => p.principal).sort()).toEqual([provider, JOB_ROLE].sort());
  });

  it("report and graph focused on an identity provider's ARN keep every identity of it the trusts name", async () => {
    // GIVEN the combined example, where one EKS cluster's OIDC provider vouches for several service accounts
    const whole = join(work, "whole.html");
    expect(xacct(["report", "--model", COMBINED, "-o", whole]).status).toBe(0);
    const byProvider = new Map<string, number>();
    for (const n of (await reportOfPage(readFileSync(whole, "utf8"))).nodes)
      if (n.kind === "federated") byProvider.set(n.arn, (byProvider.get(n.arn) ?? 0) + 1);
    const [provider, subjects] = [...byProvider].sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
    expect(subjects).toBeGreaterThan(1);
    // WHEN the report is focused one step around that provider's ARN
    const file = join(work, "provider.html");
    expect(xacct(["report", "--model", COMBINED, "--focus", provider, "--depth", "1", "-o", file]).status).toBe(0);
    // THEN every one of its identities is drawn, not one of them
    const kept = (await reportOfPage(readFileSync(file, "utf8"))).nodes.filter((n) => n.arn === provider);
    expect(kept).toHaveLength(subjects);
  });

  it("reach keeps the roles within --depth steps of --focus, and the workload's chain with --workload", () => {
    // GIVEN the spark job's first role, which becomes client-role-2 in one step
    const near = xacct(["reach", "--model", SEED_004, "--principal", JOB_ROLE, "--focus", CLIENT_ROLE, "--depth", "0", "--json"]);
    // THEN at depth 0 around client-role-2, client-role-2 alone is listed
    expect(near.status).toBe(0);
    expect((JSON.parse(near.stdout) as { roles: { role: string }[] }).roles.map((r) => r.role)).toEqual([CLIENT_ROLE]);
    // AND the spark-job workload's chain holds client-role-2
    const chain = xacct(["reach", "--model", SEED_004, "--principal", JOB_ROLE, "--workload", "spark-job", "--json"]);
    expect((JSON.parse(chain.stdout) as { roles: { role: string }[] }).roles.map((r) => r.role)).toContain(CLIENT_ROLE);
  });

  it("refuses what it cannot focus on, saying what to give", () => {
    // GIVEN a malformed account, a depth without a node, a workload and a node the model does not have
    const cases: [string[], RegExp][] = [
      [["--account", "12345"], /--account takes a 12-digit account ID, got "12345"/],
      [["--depth", "2"], /--depth goes with --focus ARN/],
      [["--focus", JOB_ROLE, "--depth", "-1"], /--depth takes a whole number of steps from 0 to 20/],
      [["--workload", "nightly"], /no workload nightly; the model's workloads are spark-job/],
      [["--account", "999999999999"], /no account 999999999999 in the model or inventory; it holds 2 accounts: 111111111111, 222222222222/],
      [["--focus", "arn:aws:iam::111111111111:role/nope"], /no principal arn:aws:iam::111111111111:role\/nope in the access graph/],
    ];
    for (const [args, message] of cases) {
      // WHEN reach is asked with it, THEN exit 2 with one line that says what is wrong
      const r = xacct(["reach", "--model", SEED_004, "--principal", JOB_ROLE, ...args]);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe("--focus on report and graph", () => {
  it("graph draws only the nodes around the focus", () => {
    // GIVEN seed 004, WHEN its graph is asked one step around client-role-2
    const r = xacct(["graph", "--model", SEED_004, "--format", "dot", "--focus", CLIENT_ROLE, "--depth", "1"]);
    // THEN the role, the role that assumes it and the data lake are drawn; account A's own bucket (two steps away) is not
    expect(r.status).toBe(0);
    for (const arn of [CLIENT_ROLE, JOB_ROLE, LAKE]) expect(r.stdout).toContain(`"${arn}"`);
    expect(r.stdout).not.toContain(OWN_BUCKET);
  });

  it("graph draws what is around any of several --focus", () => {
    // GIVEN seed 004, WHEN its graph is asked with two nodes as the focus, no step around them
    const r = xacct(["graph", "--model", SEED_004, "--format", "dot", "--focus", CLIENT_ROLE, "--focus", OWN_BUCKET, "--depth", "0"]);
    // THEN both are drawn, and nothing else
    expect(r.status).toBe(0);
    for (const arn of [CLIENT_ROLE, OWN_BUCKET]) expect(r.stdout).toContain(`"${arn}" [label=`);
    expect(r.stdout).not.toContain(JOB_ROLE);
    expect(r.stdout.split("\n")[0]).toBe(`// narrowed to --focus ${CLIENT_ROLE} --focus ${OWN_BUCKET} --depth 0`);
  });

  it("says what a narrowed picture is narrowed to, in the diagram's text and the report's title", async () => {
    // GIVEN seed 004, WHEN its graph and its report are asked for account B alone
    const mermaid = xacct(["graph", "--model", SEED_004, "--format", "mermaid", "--account", "222222222222"]);
    const dot = xacct(["graph", "--model", SEED_004, "--format", "dot", "--account", "222222222222"]);
    const file = join(work, "narrowed.html");
    expect(xacct(["report", "--model", SEED_004, "--account", "222222222222", "-o", file]).status).toBe(0);
    // THEN each says, in its own comment syntax or title, which focus narrowed it
    expect(mermaid.stdout.split("\n")[0]).toBe("%% narrowed to --account 222222222222");
    expect(dot.stdout.split("\n")[0]).toBe("// narrowed to --account 222222222222");
    expect((await reportOfPage(readFileSync(file, "utf8"))).title).toMatch(/\(narrowed to --account 222222222222\)$/);
    // AND the whole picture says nothing of the kind
    expect(xacct(["graph", "--model", SEED_004, "--format", "mermaid"]).stdout).not.toContain("narrowed");
  });

  it("refuses a focus whose parts keep no node in common, saying what each kept, and writes nothing", () => {
    // GIVEN seed 004: account A's nodes and their neighbours, and the nodes one step around account A's own bucket
    const file = join(work, "nothing.mmd");
    // WHEN the graph is asked for account B's nodes within no step of account A's own bucket
    const r = xacct([
      "graph",
      "--model",
      SEED_004,
      "--format",
      "mermaid",
      "--account",
      "222222222222",
      "--focus",
      OWN_BUCKET,
      "--depth",
      "0",
      "-o",
      file,
    ]);
    // THEN exit 2, a message naming each part and what it kept, and no file
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /the focus keeps nothing to draw: --account 222222222222 keeps \d+ nodes; --focus arn:aws:s3:::emr-on-eks-test-111111111111-us-east-1 --depth 0 keeps 1 node; and no node is kept by all of them/,
    );
    expect(existsSync(file)).toBe(false);
  });

  it("report of one account holds that account and its neighbours", async () => {
    // GIVEN seed 004, WHEN its report is asked for account B
    const file = join(work, "b.html");
    const r = xacct(["report", "--model", SEED_004, "--account", "222222222222", "-o", file]);
    // THEN the page's data has account B's role, the caller from account A, and not account A's own bucket
    expect(r.status).toBe(0);
    const ids = (await reportOfPage(readFileSync(file, "utf8"))).nodes.map((n) => n.id);
    expect(ids).toContain(CLIENT_ROLE);
    expect(ids).toContain(JOB_ROLE);
    expect(ids).not.toContain(OWN_BUCKET);
  });
});

describe("graph and size, from the command line", () => {
  it("writes the account-level view of a 10-account organization for Mermaid and says so on stderr", { timeout: 120_000 }, () => {
    // GIVEN a generated organization with more edges than Mermaid draws (its default maxEdges is 500)
    const inventory = generatedInventory(work, 10);
    // WHEN its graph is asked as Mermaid
    const r = xacct(["graph", "--inventory", inventory, "--format", "mermaid"], { timeoutMs: 120_000 });
    // THEN stdout holds the account-level view, and stderr says why and how to narrow it
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^%% the graph \(/);
    expect(r.stderr).toMatch(/too large for Mermaid: \d+ edges, over Mermaid's default maxEdges of 500.*--account ID/);
    // AND written to a file, what it says it wrote is what the file holds: one node per account
    const file = join(work, "organization.mmd");
    const written = xacct(["graph", "--inventory", inventory, "--format", "mermaid", "-o", file], { timeoutMs: 120_000 });
    const [, nodes] = /wrote .*: \d+ bytes of Mermaid, (\d+) nodes and \d+ edges \(the account-level view\)/.exec(written.stderr) ?? [];
    expect(Number(nodes)).toBe(readFileSync(file, "utf8").match(/^\s+n\d+\[/gm)?.length);
  });

  it("graph takes no --title (it draws none), and says so", () => {
    // GIVEN a title asked of graph, WHEN it runs, THEN exit 2 and an unknown option
    const r = xacct(["graph", "--model", SEED_004, "--format", "mermaid", "--title", "mine"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option --title/);
  });
});

describe("progress on stderr", () => {
  it("prints a line per stage in a log when XACCT_PROGRESS=always", () => {
    // GIVEN stderr that is not a terminal and progress asked for every stage
    const r = xacct(["graph", "--model", SEED_004, "--format", "mermaid"], { env: { XACCT_PROGRESS: "always" } });
    // THEN each stage is a line: loading, graph, analysis, drawing, writing
    expect(r.status).toBe(0);
    const stages = r.stderr.split("\n").filter((l) => l.startsWith("xacct: "));
    expect(stages.map((l) => l.replace(/: [\d.]+ s$/, ""))).toEqual([
      "xacct: loading the model",
      "xacct: building the graph",
      "xacct: analysing it",
      "xacct: drawing the report",
      "xacct: writing the diagram",
    ]);
  });

  it("on a log, says only the stages that took 2 s or more", () => {
    // GIVEN progress on a stream that is not a terminal, and a clock the test moves
    const stream = new PassThrough();
    let said = "";
    stream.on("data", (chunk: Buffer) => (said += chunk.toString()));
    let now = 0;
    const work = progress(2, stream as unknown as NodeJS.WriteStream, {}, () => now);
    // WHEN one stage takes 1.9 s and the next 2.5 s
    work.stage("loading", () => (now += 1_900));
    work.stage("analysing", () => (now += 2_500));
    work.end();
    // THEN only the second is said, with its time
    expect(said).toBe("xacct: analysing: 2.5 s\n");
  });

  it("draws nothing on a real terminal with XACCT_PROGRESS=never", () => {
    // GIVEN progress turned off, and the command in a pseudo-terminal (where it would draw a bar)
    const r = spawnSync("script", ["-qec", `${process.execPath} ${CLI} graph --model ${SEED_004} --format mermaid`, "/dev/null"], {
      encoding: "utf8",
      env: { ...process.env, XACCT_PROGRESS: "never" },
    });
    // THEN the terminal shows the diagram and no bar
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("flowchart LR");
    expect(r.stdout).not.toContain("1/5");
  });

  it("who-can, can, reach, findings and verify say their stages too", () => {
    // GIVEN every stage asked for, WHEN each command runs on seed 004
    const stagesOf = (args: string[]) =>
      xacct(args, { env: { XACCT_PROGRESS: "always" } })
        .stderr.split("\n")
        .filter((l) => /^xacct: [a-z ]+: [\d.]+ s$/.test(l))
        .map((l) => l.replace(/^xacct: /, "").replace(/: [\d.]+ s$/, ""));
    // THEN each says loading, the graph (where it builds one) and its analysis, in order
    const query = ["--model", SEED_004];
    expect(stagesOf(["who-can", ...query, "--action", "s3:ListBucket", "--resource", LAKE])).toEqual([
      "loading the model",
      "building the graph",
      "answering",
    ]);
    expect(stagesOf(["reach", ...query, "--principal", JOB_ROLE])).toEqual(["loading the model", "building the graph", "answering"]);
    expect(stagesOf(["can", ...query, "--principal", JOB_ROLE, "--action", "s3:ListBucket", "--resource", LAKE])).toEqual([
      "loading the model",
      "building the graph",
      "answering",
    ]);
    expect(stagesOf(["findings", ...query])).toEqual(["loading the model", "analysing it"]);
    expect(stagesOf(["verify", ...query])).toEqual(["loading the model", "building the graph", "analysing it", "verifying"]);
  });

  it("draws a bar on a real terminal and clears it before the command's own output", () => {
    // GIVEN the command run in a pseudo-terminal by util-linux's script, its output captured as the terminal shows it
    const file = join(work, "seen.html");
    const r = spawnSync("script", ["-qec", `${process.execPath} ${CLI} report --model ${SEED_004} -o ${file}`, "/dev/null"], {
      encoding: "utf8",
      env: { ...process.env, XACCT_PROGRESS: "" },
    });
    // THEN it drew the bar's stages, each over the last, then erased the line and printed what it wrote
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("] 1/5 loading the model…");
    expect(r.stdout).toContain("] 5/5 writing the page…");
    expect(afterBar(r.stdout)).toMatch(/^wrote .*seen\.html/);
  });

  it("clears the bar before an error's message on a terminal", () => {
    // GIVEN a report narrowed to an account the model does not have, run in a pseudo-terminal
    const r = spawnSync(
      "script",
      ["-qec", `${process.execPath} ${CLI} report --model ${SEED_004} --account 999999999999 -o /dev/null`, "/dev/null"],
      {
        encoding: "utf8",
        env: { ...process.env, XACCT_PROGRESS: "" },
      },
    );
    // THEN it fails with exit 2, and the message starts on a line of its own, after the bar was erased
    expect(r.status).toBe(2);
    expect(afterBar(r.stdout)).toMatch(/^xacct: no account 999999999999 in this report/);
  });
});
