/**
 * Third parties declared in a model (issue 11, item 16). AWS: "If you are an account owner and you
 * grant a third party access to your account, require the external ID" (IAM User Guide, "Access to
 * AWS accounts owned by third parties"). A model declares an outside party as an `external`
 * account with an `external` workload: the role it may assume is trusted by that account, and
 * without an externalId the trust has no sts:ExternalId condition, which `findings` reports (XA002)
 * and `verify` fails on, unless the account is in the organization of the model's own accounts.
 * An externalId given twice, differently, is a located error at load.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { findings } from "../src/graph/findings/index.js";
import { loadModel } from "../src/model/load.js";
import { position, problems } from "./support/model-problems.js";
import { CLI as cli } from "./support/xacct-cli.js";

const ROLE = "arn:aws:iam::111111111111:role/partner-runner";

/** GIVEN account `ours` (111111111111) and the partner's `external` account (999999999999), whose workload may run our Glue job through `partner-runner`. */
function partnerModel(o: { identityExternalId?: string; roleExternalId?: string; organization?: string } = {}): string {
  const org = o.organization ? `, organization: ${o.organization}` : "";
  return `version: 1
name: partner
accounts:
  ours: { id: "111111111111", region: eu-west-1${org} }
  vendor: { id: "999999999999", region: eu-west-1, external: true${org} }
workloads:
  partner:
    account: vendor
    identity: { type: external${o.identityExternalId ? `, externalId: ${o.identityExternalId}` : ""} }
grants:
  - workload: partner
    account: ours
    service: glue
    access: [run]
    resources: { job: etl }
    role: { name: partner-runner${o.roleExternalId ? `, externalId: ${o.roleExternalId}` : ""} }
`;
}

const xa002 = (text: string) => findings(compile(loadModel(text)).state).filter((f) => f.id === "XA002");

describe("XA002 on a model's third party", () => {
  it("reports the role a declared outside account may assume with no sts:ExternalId", () => {
    // GIVEN the partner model with no externalId
    // WHEN its findings are listed
    const found = xa002(partnerModel());
    // THEN the partner's role is a third party's trusted without sts:ExternalId (high)
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: "high", resource: ROLE });
    expect(found[0]?.detail).toContain("999999999999");
  });

  it("is quiet when the grant's role or the identity gives an externalId", () => {
    // GIVEN the partner model with an externalId on the identity, or on the role
    // WHEN its findings are listed
    // THEN the trust requires sts:ExternalId and nothing is reported
    expect(xa002(partnerModel({ identityExternalId: "partner-4f9c2b" }))).toEqual([]);
    expect(xa002(partnerModel({ roleExternalId: "partner-4f9c2b" }))).toEqual([]);
  });

  it("is quiet when the outside account is in the organization of the model's accounts", () => {
    // GIVEN both accounts in organization o-a1b2c3d4e5: the other account is a member, not a third party
    // WHEN the findings are listed
    // THEN nothing is reported
    expect(xa002(partnerModel({ organization: "o-a1b2c3d4e5" }))).toEqual([]);
  });

  it("verify fails (exit 1) on the model, naming XA002", () => {
    // GIVEN the partner model with no externalId, in a file
    const dir = mkdtempSync(join(tmpdir(), "xacct-third-party-"));
    writeFileSync(join(dir, "xacct.yaml"), partnerModel());
    // WHEN it is verified
    const r = spawnSync(process.execPath, [cli, "verify", "--model", join(dir, "xacct.yaml"), "--json"], { encoding: "utf8" });
    // THEN verify fails on the finding
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout) as { ok: boolean; findings: { id: string; resource: string }[] };
    expect(result.ok).toBe(false);
    expect(result.findings).toContainEqual(expect.objectContaining({ id: "XA002", resource: ROLE }));
  });
});

describe("conflicting ExternalIds", () => {
  it("are a located error at the grant's role.externalId", () => {
    // GIVEN the partner's identity and the grant's role each naming a different externalId
    const text = partnerModel({ identityExternalId: "partner-4f9c2b", roleExternalId: "partner-other" });
    // WHEN the model is loaded
    const found = problems(text);
    // THEN one problem, at the role's externalId, naming the identity's, without either value
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ line: position(text, "externalId: partner-other").line, path: "grants[0].role.externalId" });
    expect(found[0]?.message).toContain("workloads.partner.identity.externalId");
    expect(found[0]?.message).not.toContain("partner-4f9c2b");
  });

  it("the same ExternalId in both places is accepted", () => {
    // GIVEN both naming the same externalId
    // WHEN the model is loaded
    // THEN it loads
    expect(loadModel(partnerModel({ identityExternalId: "partner-4f9c2b", roleExternalId: "partner-4f9c2b" })).grants).toHaveLength(1);
  });
});
