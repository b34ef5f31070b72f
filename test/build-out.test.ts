/**
 * What `xacct build --out DIR` owns: only the files it wrote, listed in DIR/.xacct-build. A
 * directory that is not empty and that no build wrote is refused, and so is a file; a rebuild
 * replaces the files the previous build wrote, removes those no longer produced, and keeps
 * everything else (Terraform's working files, which `terraform init` and `terraform apply` write
 * beside main.tf.json: .terraform/, .terraform.lock.hcl and terraform.tfstate; the user's files;
 * .git); all or nothing; a place that cannot be written fails at once with the system's reason.
 * Run through the built CLI.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { snapshot, smallTmpfs, xacct } from "./support/xacct-cli.js";
import { APP_USER, modelText } from "./support/models.js";

const TWO_WORKLOADS = modelText({
  name: "two",
  workloads: `${APP_USER}  etl:
    account: a
    identity: { type: iam-user }
`,
  grants: `  - workload: app
    account: b
    service: glue
    access: [run]
    resources: { job: etl }
  - workload: etl
    account: b
    service: glue
    access: [run]
    resources: { job: nightly }
`,
});
/** The same without workload etl and its grant: its files are no longer produced. */
const ONE_WORKLOAD = TWO_WORKLOADS.replace(/ {2}etl:\n.*\n.*\n/, "").replace(/ {2}- workload: etl\n(?: {4}.*\n)*/, "");

function project(model = TWO_WORKLOADS): string {
  const dir = mkdtempSync(join(tmpdir(), "xacct-out-"));
  writeFileSync(join(dir, "xacct.yaml"), model);
  return dir;
}

/** The one line on stderr, checked to be one line, starting "xacct: ". */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^xacct: /);
  return lines[0] as string;
}

describe("xacct build --out: a directory it did not write", () => {
  it("refuses --out . in a folder holding the model, notes and .git, and changes nothing", () => {
    // GIVEN a project folder: the model, the user's notes, a git repository
    const dir = project();
    writeFileSync(join(dir, "notes.md"), "my notes\n");
    mkdirSync(join(dir, ".git", "refs"), { recursive: true });
    writeFileSync(join(dir, ".git", "HEAD"), "ref: refs/heads/main\n");
    const before = snapshot(dir);
    // WHEN the user builds into it
    const r = xacct(["build", "xacct.yaml", "--out", "."], { cwd: dir });
    // THEN it is refused with what to do, and every file is as it was
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/\. is not empty and no earlier `xacct build --out` wrote it .*give one, e\.g\. --out /);
    expect(snapshot(dir)).toEqual(before);
  });

  it("refuses --out naming a regular file (the model itself) and leaves it a file", () => {
    // GIVEN the model file
    const dir = project();
    // WHEN the user names it as the output
    const r = xacct(["build", "xacct.yaml", "--out", "xacct.yaml"], { cwd: dir });
    // THEN it is refused and the model is untouched
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toContain("xacct.yaml is a regular file, not a directory: --out takes a directory");
    expect(readFileSync(join(dir, "xacct.yaml"), "utf8")).toBe(TWO_WORKLOADS);
  });

  it("builds into an empty directory that exists, and into a new one whose parents it creates", () => {
    // GIVEN an empty directory
    const dir = project();
    mkdirSync(join(dir, "empty"));
    // WHEN building into it, and into a new nested path
    const empty = xacct(["build", "xacct.yaml", "--out", "empty"], { cwd: dir });
    const nested = xacct(["build", "xacct.yaml", "--out", "new/deeper/out"], { cwd: dir });
    // THEN both hold the build and its marker
    expect(empty.status, empty.stderr).toBe(0);
    expect(nested.status, nested.stderr).toBe(0);
    for (const out of ["empty", "new/deeper/out"]) {
      expect(existsSync(join(dir, out, "workloads", "etl", "aws-config"))).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, out, ".xacct-build"), "utf8")).files).toContain("workloads/etl/aws-config");
    }
  });
});

describe("xacct build: what it says it wrote", () => {
  it("counts a grant to a whole organization as a grant, beside the grants of workloads", () => {
    // GIVEN examples/006: two grants to the organization, two of the security team's permission set
    const dir = mkdtempSync(join(tmpdir(), "xacct-out-"));
    // WHEN building it
    const r = xacct(["build", join(import.meta.dirname, "..", "examples", "006-org-log-archive", "xacct.yaml"), "--out", dir]);
    // THEN the summary names its four grants
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ for 4 accounts and 4 grants to /);
  });
});

describe("xacct build --out: rebuilding", () => {
  it("keeps Terraform's state, lock file and .terraform/ and the user's files, and replaces what it wrote", () => {
    // GIVEN a build, then `terraform init/apply` in accounts/b/terraform and a user file in a subdirectory
    const dir = project();
    expect(xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir }).status).toBe(0);
    const tf = join(dir, "out", "accounts", "b", "terraform");
    writeFileSync(join(tf, "terraform.tfstate"), '{"version": 4}\n');
    writeFileSync(join(tf, ".terraform.lock.hcl"), "# lock\n");
    mkdirSync(join(tf, ".terraform", "providers"), { recursive: true });
    writeFileSync(join(tf, ".terraform", "providers", "p"), "provider\n");
    writeFileSync(join(dir, "out", "accounts", "a", "runbook.md"), "who to call\n");
    const mainTf = readFileSync(join(tf, "main.tf.json"), "utf8");
    // WHEN the model changes (job etl renamed) and is rebuilt
    writeFileSync(join(dir, "xacct.yaml"), TWO_WORKLOADS.replace("job: etl }", "job: etl-v2 }"));
    const r = xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir });
    // THEN the generated Terraform is the new one, and Terraform's files and the user's are kept
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(tf, "main.tf.json"), "utf8")).not.toBe(mainTf);
    expect(readFileSync(join(tf, "main.tf.json"), "utf8")).toContain("job/etl-v2");
    expect(readFileSync(join(tf, "terraform.tfstate"), "utf8")).toBe('{"version": 4}\n');
    expect(readFileSync(join(tf, ".terraform.lock.hcl"), "utf8")).toBe("# lock\n");
    expect(readFileSync(join(tf, ".terraform", "providers", "p"), "utf8")).toBe("provider\n");
    expect(readFileSync(join(dir, "out", "accounts", "a", "runbook.md"), "utf8")).toBe("who to call\n");
  });

  it("removes a file the earlier build wrote and this one does not, with its emptied directory, and keeps a user file beside another", () => {
    // GIVEN a build with workloads app and etl, and a user file in etl's IAM directory
    const dir = project();
    expect(xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir }).status).toBe(0);
    writeFileSync(join(dir, "out", "accounts", "a", "iam", "users", "README.txt"), "mine\n");
    expect(existsSync(join(dir, "out", "workloads", "etl", "aws-config"))).toBe(true);
    // WHEN etl leaves the model and it is rebuilt
    writeFileSync(join(dir, "xacct.yaml"), ONE_WORKLOAD);
    const r = xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir });
    // THEN etl's files are gone (its directory with them), app's remain, the user file is kept
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, "out", "workloads", "etl"))).toBe(false);
    expect(existsSync(join(dir, "out", "accounts", "a", "iam", "users", "etl.json"))).toBe(false);
    expect(existsSync(join(dir, "out", "workloads", "app", "aws-config"))).toBe(true);
    expect(readFileSync(join(dir, "out", "accounts", "a", "iam", "users", "README.txt"), "utf8")).toBe("mine\n");
    expect(JSON.parse(readFileSync(join(dir, "out", ".xacct-build"), "utf8")).files).not.toContain("workloads/etl/aws-config");
  });

  it("refuses to overwrite a file at a path it now writes that no earlier build wrote", () => {
    // GIVEN a build with app only, then the user's own file where etl's config would go
    const dir = project(ONE_WORKLOAD);
    expect(xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir }).status).toBe(0);
    mkdirSync(join(dir, "out", "workloads", "etl"));
    writeFileSync(join(dir, "out", "workloads", "etl", "aws-config"), "[profile mine]\n");
    const before = snapshot(join(dir, "out"));
    // WHEN etl joins the model
    writeFileSync(join(dir, "xacct.yaml"), TWO_WORKLOADS);
    const r = xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir });
    // THEN the build is refused, nothing changed
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/workloads\/etl\/aws-config exists and no earlier `xacct build --out` wrote it: .*move it away/);
    expect(snapshot(join(dir, "out"))).toEqual(before);
  });
});

describe("xacct build --out: the marker is input too", () => {
  function built(): string {
    const dir = project();
    expect(xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir }).status).toBe(0);
    return dir;
  }
  const marker = (dir: string) => join(dir, "out", ".xacct-build");
  const listing = (dir: string) => JSON.parse(readFileSync(marker(dir), "utf8")) as { xacct: string; files: string[] };

  it.each([
    ["a path out of the directory", "../victim.txt"],
    ["an absolute path", "/tmp/victim.txt"],
    ["a path through ..", "workloads/../../victim.txt"],
  ])("refuses a marker listing %s, and deletes nothing", (_, planted) => {
    // GIVEN a file beside the output directory, and a marker that lists it
    const dir = built();
    writeFileSync(join(dir, "victim.txt"), "keep me\n");
    const m = listing(dir);
    writeFileSync(marker(dir), JSON.stringify({ ...m, files: [...m.files, planted] }));
    const before = snapshot(dir);
    // WHEN rebuilding
    const r = xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir });
    // THEN the marker is refused and nothing changed
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/\.xacct-build cannot be trusted \(files\[\d+\] .*\): /);
    expect(snapshot(dir)).toEqual(before);
  });

  it("refuses a marker that is a symbolic link", () => {
    // GIVEN the marker replaced by a link to a file elsewhere
    const dir = built();
    writeFileSync(join(dir, "elsewhere.json"), readFileSync(marker(dir)));
    rmSync(marker(dir));
    symlinkSync(join(dir, "elsewhere.json"), marker(dir));
    // WHEN rebuilding
    const r = xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir });
    // THEN it is refused
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toContain("cannot be trusted (it is a symbolic link, not a regular file)");
  });

  it("does not delete a listed file that someone replaced by a symbolic link (to a file outside) or by a directory", () => {
    // GIVEN a build with etl, whose listed files are then replaced: one by a link to a file outside, one by a directory
    const dir = built();
    writeFileSync(join(dir, "outside.txt"), "keep me\n");
    rmSync(join(dir, "out", "workloads", "etl", "aws-config"));
    symlinkSync(join(dir, "outside.txt"), join(dir, "out", "workloads", "etl", "aws-config"));
    rmSync(join(dir, "out", "accounts", "a", "iam", "users", "etl.json"));
    mkdirSync(join(dir, "out", "accounts", "a", "iam", "users", "etl.json"));
    writeFileSync(join(dir, "out", "accounts", "a", "iam", "users", "etl.json", "inside"), "mine\n");
    // WHEN etl leaves the model and it is rebuilt
    writeFileSync(join(dir, "xacct.yaml"), ONE_WORKLOAD);
    const r = xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir });
    // THEN the link, its target and the directory are all still there
    expect(r.status, r.stderr).toBe(0);
    expect(snapshot(dir).get("out/workloads/etl/aws-config")).toBe(`link -> ${join(dir, "outside.txt")}`);
    expect(readFileSync(join(dir, "outside.txt"), "utf8")).toBe("keep me\n");
    expect(readFileSync(join(dir, "out", "accounts", "a", "iam", "users", "etl.json", "inside"), "utf8")).toBe("mine\n");
  });

  it("refuses to write through a directory someone replaced by a symbolic link out of the output", () => {
    // GIVEN a build, then its workloads/app directory replaced by a link to a directory outside
    const dir = built();
    mkdirSync(join(dir, "elsewhere"));
    writeFileSync(join(dir, "elsewhere", "aws-config"), "[profile theirs]\n");
    rmSync(join(dir, "out", "workloads", "app"), { recursive: true });
    symlinkSync(join(dir, "elsewhere"), join(dir, "out", "workloads", "app"));
    // WHEN rebuilding
    const r = xacct(["build", "xacct.yaml", "--out", "out"], { cwd: dir });
    // THEN it is refused, and the file behind the link is untouched
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/workloads\/app is a symbolic link where a directory is expected/);
    expect(readFileSync(join(dir, "elsewhere", "aws-config"), "utf8")).toBe("[profile theirs]\n");
  });
});

describe("xacct build --out: places it cannot write", () => {
  it("fails at once under /proc, with the system's reason (it used to spin at full CPU)", () => {
    // GIVEN a model
    const dir = project();
    // WHEN the output is under /proc, where no directory can be made
    const r = xacct(["build", "xacct.yaml", "--out", "/proc/xacct-test/out"], { cwd: dir, timeoutMs: 30_000 });
    // THEN one line, exit 2 (a spinning process is killed by the timeout: status null)
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe("xacct: cannot write /proc/xacct-test: no such file or directory (ENOENT); nothing was changed");
  });

  it("names a path too long for the file system (ENAMETOOLONG), in one line", () => {
    // GIVEN an output directory name of 300 characters (Linux allows 255 per name)
    const dir = project();
    const long = "d".repeat(300);
    // WHEN building into it
    const r = xacct(["build", "xacct.yaml", "--out", long], { cwd: dir });
    // THEN one line naming the reason, exit 2
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toContain("name too long (ENAMETOOLONG); nothing was changed");
  });

  describe("on a real small or read-only tmpfs", () => {
    const mounts: { unmount(): void }[] = [];
    afterAll(() => mounts.forEach((m) => m.unmount()));

    it("a full disk (ENOSPC) mid-build changes nothing: the earlier build stays as it was", (ctx) => {
      // GIVEN a tmpfs big enough for the small model's build, not for the combined example's
      const fs = smallTmpfs("160k");
      if ("reason" in fs) return ctx.skip(fs.reason);
      mounts.push(fs);
      const dir = project(ONE_WORKLOAD);
      const first = xacct(["build", "xacct.yaml", "--out", join(fs.dir, "out")], { cwd: dir });
      expect(first.status, first.stderr).toBe(0);
      writeFileSync(join(fs.dir, "out", "notes.md"), "mine\n");
      const before = snapshot(fs.dir);
      // WHEN the combined example is built into it
      const combined = join(import.meta.dirname, "..", "examples", "combined", "xacct.yaml");
      const r = xacct(["build", combined, "--out", join(fs.dir, "out")]);
      // THEN one line with the system's reason, and the directory is exactly as before
      expect(r.status).toBe(2);
      expect(oneLine(r.stderr)).toMatch(/^xacct: cannot write .*: no space left on device \(ENOSPC\); nothing was changed$/);
      expect(snapshot(fs.dir)).toEqual(before);
    });

    it("a read-only file system (EROFS) is said in one line", (ctx) => {
      // GIVEN a read-only tmpfs
      const fs = smallTmpfs("64k", "ro");
      if ("reason" in fs) return ctx.skip(fs.reason);
      mounts.push(fs);
      const dir = project();
      // WHEN building into it
      const r = xacct(["build", "xacct.yaml", "--out", join(fs.dir, "out")], { cwd: dir });
      // THEN one line naming the reason
      expect(r.status).toBe(2);
      expect(oneLine(r.stderr)).toBe(`xacct: cannot write ${join(fs.dir, "out")}: read-only file system (EROFS); nothing was changed`);
    });
  });
});
