/**
 * `xacct completion bash|zsh|fish`. The bash script is loaded into a real bash and its function
 * called as bash's programmable completion calls it (COMP_WORDS, COMP_CWORD: bash's manual,
 * "Programmable Completion"); zsh checks the zsh script's syntax (`zsh -n`) where zsh is
 * installed, fish its script (`fish --no-execute`) where fish is; otherwise their text is read for
 * what each shell's completion system needs (zsh's #compdef and _arguments specs, fish's
 * `complete -c xacct` lines).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { xacct } from "./support/xacct-cli.js";

const dir = mkdtempSync(join(tmpdir(), "xacct-completion-"));
const has = (program: string) => spawnSync(program, ["--version"], { stdio: "ignore" }).status === 0;

function script(shell: string): string {
  const r = xacct(["completion", shell]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe("");
  return r.stdout;
}

describe("bash", () => {
  const file = join(dir, "xacct.bash");
  writeFileSync(file, script("bash"));

  /** What bash's completion offers for the words typed (the last one is the word completed), in `cwd`. */
  function complete(words: string[], cwd = dir): string[] {
    const program = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=\${#COMP_LINE}; _xacct; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync("bash", ["--norc", "--noprofile", "-c", program, "bash", file, ...words], {
      cwd,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: dir },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    return r.stdout.split("\n").filter(Boolean);
  }

  it("is valid bash that registers _xacct as xacct's completion", () => {
    // GIVEN the script, WHEN bash loads it and lists xacct's completion
    const r = spawnSync("bash", ["--norc", "--noprofile", "-c", `source "$1" && complete -p xacct`, "bash", file], { encoding: "utf8" });
    // THEN it is the function
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("complete -F _xacct xacct");
  });

  it("xacct wh<TAB> completes to who-can", () => {
    expect(complete(["xacct", "wh"])).toEqual(["who-can"]);
  });

  it("xacct can --pr<TAB> completes to --principal", () => {
    expect(complete(["xacct", "can", "--pr"])).toEqual(["--principal"]);
  });

  it("every command at the first word, and help's own word", () => {
    const offered = complete(["xacct", ""]);
    for (const command of [
      "init",
      "build",
      "can",
      "who-can",
      "reach",
      "findings",
      "verify",
      "sandbox",
      "exec",
      "env",
      "report",
      "graph",
      "completion",
      "help",
    ])
      expect(offered).toContain(command);
  });

  it("an option's values: its choices, files for FILE, directories for DIR, --option=value too", () => {
    // GIVEN a directory holding a file and a directory
    const cwd = mkdtempSync(join(tmpdir(), "xacct-completion-cwd-"));
    mkdirSync(join(cwd, "inventory"));
    writeFileSync(join(cwd, "xacct.yaml"), "");
    // WHEN values are completed
    // THEN --edges offers its two kinds, --fail-on the severities, --inventory directories only, --model files
    expect(complete(["xacct", "can", "--edges", ""])).toEqual(["all", "assume"]);
    expect(complete(["xacct", "verify", "--fail-on", ""])).toEqual(["critical", "high", "medium", "low"]);
    expect(complete(["xacct", "can", "--inventory", ""], cwd)).toEqual(["inventory"]);
    expect(complete(["xacct", "can", "--model", "xa"], cwd)).toEqual(["xacct.yaml"]);
    // bash splits --model=xa at the =, as COMP_WORDBREAKS says
    expect(complete(["xacct", "can", "--model", "=", "xa"], cwd)).toEqual(["xacct.yaml"]);
    expect(complete(["xacct", "build", "xa"], cwd)).toEqual(["xacct.yaml"]);
    expect(complete(["xacct", "report", "-o", "xa"], cwd)).toEqual(["xacct.yaml"]);
    // AND a value nothing can guess (an ARN) offers nothing, rather than the options
    expect(complete(["xacct", "can", "--principal", ""])).toEqual([]);
  });

  it("sandbox's subcommand and its own options; completion's shells; help's commands", () => {
    expect(complete(["xacct", "sandbox", "to"])).toEqual(["token"]);
    expect(complete(["xacct", "sandbox", "token", "--w"])).toEqual(["--workload"]);
    expect(complete(["xacct", "sandbox", "--thr"])).toEqual(["--throttle"]);
    expect(complete(["xacct", "completion", ""])).toEqual(["bash", "zsh", "fish"]);
    expect(complete(["xacct", "help", "who"])).toEqual(["who-can"]);
  });

  it("exec: its options, then after -- the command to run", () => {
    expect(complete(["xacct", "exec", "--pro"])).toEqual(["--profile"]);
    expect(complete(["xacct", "exec", "--profile", "far", "--", "bas"])).toContain("bash");
  });
});

describe("zsh", () => {
  const text = script("zsh");

  it.runIf(has("zsh"))("zsh -n reads it without a syntax error", () => {
    const file = join(dir, "_xacct");
    writeFileSync(file, text);
    const r = spawnSync("zsh", ["-n", file], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("is a #compdef file for xacct that completes each command's options with _arguments", () => {
    // THEN the first line is what compinit looks for in $fpath, and it registers itself when sourced
    expect(text.split("\n")[0]).toBe("#compdef xacct");
    expect(text).toContain("compdef _xacct xacct");
    // AND can's options: --principal takes a value, --inventory a directory, --edges its two kinds, --json none
    const can = text.slice(text.indexOf("\n    can)\n"), text.indexOf(";;", text.indexOf("\n    can)\n")));
    expect(can).toMatch(/'--principal=\[[^\]]+\]:ARN: '/);
    expect(can).toMatch(/'--inventory=\[[^\]]+\]:DIR:_files -\/'/);
    expect(can).toMatch(/'--edges=\[[^']+\]:KIND:\(all assume\)'/);
    expect(can).toMatch(/'--json\[[^\]]+\]'/);
    expect(can).toMatch(/'\*--context=\[/);
    // AND every single quote is closed on its line (an apostrophe is written '\'')
    for (const line of text.split("\n").filter((l) => !l.startsWith("#")))
      expect(line.replace(/'\\''/g, "").split("'").length % 2, line).toBe(1);
  });
});

describe("fish", () => {
  const text = script("fish");

  /** A fish `complete` line's words, single quotes read as fish reads them (\\' and \\\\ inside). */
  function words(line: string): string[] {
    const out: string[] = [];
    const re = /'((?:[^'\\]|\\.)*)'|(\S+)/g;
    for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] as string));
    return out;
  }

  it.runIf(has("fish"))("fish --no-execute reads it without a syntax error", () => {
    const file = join(dir, "xacct.fish");
    writeFileSync(file, text);
    const r = spawnSync("fish", ["--no-execute", file], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("is complete -c xacct lines: the commands first, then each command's options when it is on the line", () => {
    const lines = text.split("\n").filter((l) => l && !l.startsWith("#"));
    for (const line of lines) expect(words(line).slice(0, 3)).toEqual(["complete", "-c", "xacct"]);
    // THEN who-can is offered as a command while none is on the line
    expect(lines.map(words)).toContainEqual(expect.arrayContaining(["-n", "__fish_use_subcommand", "-a", "who-can"]));
    // AND can's --principal takes a value (-x), --inventory offers directories, --edges its two kinds
    const can = lines.map(words).filter((w) => w[3] === "-n" && w[4] === "__fish_seen_subcommand_from can");
    expect(can).toContainEqual(expect.arrayContaining(["-l", "principal", "-x"]));
    expect(can).toContainEqual(expect.arrayContaining(["-l", "inventory", "-a", "(__fish_complete_directories)"]));
    expect(can).toContainEqual(expect.arrayContaining(["-l", "edges", "-a", "all assume"]));
    expect(can).toContainEqual(expect.arrayContaining(["-l", "model", "-r", "-F"]));
    // AND a description with an apostrophe survives fish's quoting
    expect(lines.map(words)).toContainEqual(
      expect.arrayContaining(["-a", "credential-process", "-d", "print a chain's credentials as a credential_process's JSON"]),
    );
  });
});

describe("xacct completion", () => {
  it("refuses a shell it does not write for, and wants one", () => {
    const other = xacct(["completion", "tcsh"]);
    expect(other.status).toBe(2);
    expect(other.stderr).toBe('xacct: completion takes bash, zsh or fish, got "tcsh"; see xacct completion --help\n');
    const none = xacct(["completion"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe("xacct: give SHELL, bash, zsh or fish; see xacct completion --help\n");
  });
});
