/**
 * `terraform validate` on generated configurations, where terraform and a local copy of the
 * hashicorp/aws provider are present (so `terraform init` needs no network); `why` says what is
 * missing otherwise.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

type Obj = Record<string, unknown>;

/** A local copy of the hashicorp/aws provider (filesystem mirror layout), so `terraform init` needs no network. */
function providerMirror(): string | undefined {
  const candidates = [
    process.env.XACCT_TERRAFORM_PLUGIN_DIR,
    "/opt/tf-plugins",
    join(homedir(), ".terraform.d", "plugins"),
    "/usr/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
  ];
  return candidates.find((dir) => dir && existsSync(join(dir, "registry.terraform.io", "hashicorp", "aws")));
}

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
const mirror = providerMirror();
/** Why `terraform validate` cannot run here, or "" when it can. */
export const why = !terraform
  ? "terraform is not installed"
  : !mirror
    ? "no local mirror of the hashicorp/aws provider (terraform init would download it)"
    : "";

/**
 * Validates configurations in one run: each is a local module of a root that only calls them, so
 * the provider is installed from the mirror and its schema loaded once; errors name the module.
 */
export function validate(configurations: [string, Obj][]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "xacct-tf-"));
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: join(dir, "terraformrc"),
    TF_DATA_DIR: join(dir, ".terraform"),
    TF_IN_AUTOMATION: "1",
    CHECKPOINT_DISABLE: "1",
  };
  writeFileSync(env.TF_CLI_CONFIG_FILE, "");
  const modules = configurations.map(([path, tf], i) => {
    mkdirSync(join(dir, `m${i}`));
    writeFileSync(join(dir, `m${i}`, "main.tf.json"), JSON.stringify(tf, null, 2));
    return [`m${i}`, { "//": path, source: `./m${i}` }];
  });
  writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ module: Object.fromEntries(modules) }));
  const run = (...args: string[]) => spawnSync("terraform", args, { cwd: dir, env, encoding: "utf8" });
  const init = run("init", "-backend=false", "-input=false", "-no-color", `-plugin-dir=${mirror}`);
  const r = init.status === 0 ? run("validate", "-no-color") : init;
  return { status: r.status, output: r.stdout + r.stderr };
}
