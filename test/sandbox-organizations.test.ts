/**
 * AWS Organizations' read calls in the sandbox, driven by the real @aws-sdk/client-organizations.
 * What each call answers comes from the Organizations API reference and the state served:
 * - ListAccounts (and every other List/Describe call here but DescribeOrganization): "This
 *   operation can be called only from the organization's management account or by a member
 *   account that is a delegated administrator."
 * - DescribeOrganization: "This operation can be called from any account in the organization."
 * - AWSOrganizationsNotInUseException: "Your account isn't a member of an organization. To make
 *   this request, you must use the credentials of an account that belongs to an organization."
 * - MaxResults/NextToken: "If additional items exist beyond the maximum you specify, the NextToken
 *   response element is present and has a value (is not null). Include that value as the
 *   NextToken request parameter in the next call to the operation to get the next part of the results."
 * - FullAWSAccess is attached to every root, OU and account by default (SCP user guide); an
 *   inventory target with no SCP entry has it (AccountState's convention).
 */
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListTargetsForPolicy,
} from "@aws-sdk/client-organizations";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { loadModel } from "../src/model/load.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { type AccountState, emptyAccount } from "../src/state/account-state.js";
import { loadInventory } from "../src/state/inventory.js";
import { APP, LOGGING, LOOSE, logArchiveModel, ORG, TOOLS } from "./support/org-models.js";
import { rootOf } from "./support/iam-apply.js";
import { addWriterRole } from "./support/org-models.js";
import { assume, clientConfig, type Keys, refusal, sandboxPerTest, userKeys } from "./support/sandbox-clients.js";

const newSandbox = sandboxPerTest();
const orgs = (s: Sandbox, keys: Keys) => new OrganizationsClient(clientConfig(s, keys));

/** The guardrails inventory (organization o-a1b2c3d4e5, management account 000000000000, four members), with the management account's own entry so it has keys. */
function guardrails(): AccountState {
  const state = loadInventory("test/inventories/guardrails");
  state.accounts.set("000000000000", emptyAccount("000000000000", "aws"));
  return state;
}
const MEMBERS = ["111111111111", "222222222222", "333333333333", "444444444444"];

describe("AWS Organizations in the sandbox, from an inventory's organization.json", () => {
  it("answers the management account: the organization, its root, OUs, accounts and parents", async () => {
    // GIVEN the guardrails inventory served
    const s = await newSandbox({ state: guardrails() });
    const client = orgs(s, rootOf(s, "000000000000"));
    // WHEN its management account reads the organization
    const org = (await client.send(new DescribeOrganizationCommand({}))).Organization;
    const roots = (await client.send(new ListRootsCommand({}))).Roots ?? [];
    const ous = (await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: "r-a1b2" }))).OrganizationalUnits ?? [];
    const accounts = (await client.send(new ListAccountsCommand({}))).Accounts ?? [];
    const inData = (await client.send(new ListAccountsForParentCommand({ ParentId: "ou-a1b2-data0001" }))).Accounts ?? [];
    const parents = (await client.send(new ListParentsCommand({ ChildId: "111111111111" }))).Parents;
    const ouParents = (await client.send(new ListParentsCommand({ ChildId: "ou-a1b2-workload1" }))).Parents;
    const children = (await client.send(new ListChildrenCommand({ ParentId: "r-a1b2", ChildType: "ACCOUNT" }))).Children;
    // THEN each answer is the organization.json's, in AWS's shapes and ARN formats
    expect(org).toMatchObject({
      Id: "o-a1b2c3d4e5",
      MasterAccountId: "000000000000",
      Arn: "arn:aws:organizations::000000000000:organization/o-a1b2c3d4e5",
      FeatureSet: "ALL",
    });
    expect(roots.map((r) => [r.Id, r.Arn])).toEqual([["r-a1b2", "arn:aws:organizations::000000000000:root/o-a1b2c3d4e5/r-a1b2"]]);
    expect(roots[0]?.PolicyTypes?.map((t) => t.Type).sort()).toEqual(["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"]);
    expect(ous.map((o) => o.Id).sort()).toEqual(["ou-a1b2-analytic", "ou-a1b2-data0001", "ou-a1b2-sandbox1", "ou-a1b2-workload1"]);
    expect(ous.find((o) => o.Id === "ou-a1b2-data0001")?.Arn).toBe("arn:aws:organizations::000000000000:ou/o-a1b2c3d4e5/ou-a1b2-data0001");
    expect(accounts.map((a) => a.Id).sort()).toEqual(["000000000000", ...MEMBERS]);
    expect(accounts.find((a) => a.Id === "111111111111")?.Arn).toBe(
      "arn:aws:organizations::000000000000:account/o-a1b2c3d4e5/111111111111",
    );
    expect(inData.map((a) => a.Id)).toEqual(["222222222222"]);
    expect(parents).toEqual([{ Id: "ou-a1b2-workload1", Type: "ORGANIZATIONAL_UNIT" }]);
    expect(ouParents).toEqual([{ Id: "r-a1b2", Type: "ROOT" }]);
    // The management account is listed in no OU by organization.json: it sits under the root.
    expect(children?.map((c) => c.Id)).toEqual(["000000000000"]);
  });

  it("lists the SCPs with their documents and targets: FullAWSAccess wherever the inventory lists none", async () => {
    // GIVEN the guardrails inventory: FullAWSAccess listed at the root and workload1 (with a deny), an allow-list at sandbox1
    const s = await newSandbox({ state: guardrails() });
    const client = orgs(s, rootOf(s, "000000000000"));
    // WHEN the SCPs, their documents and targets are read
    const scps = (await client.send(new ListPoliciesCommand({ Filter: "SERVICE_CONTROL_POLICY" }))).Policies ?? [];
    const content = async (id: string) =>
      JSON.parse((await client.send(new DescribePolicyCommand({ PolicyId: id }))).Policy?.Content ?? "null");
    const targets = async (id: string) =>
      ((await client.send(new ListTargetsForPolicyCommand({ PolicyId: id }))).Targets ?? []).map((t) => t.TargetId).sort();
    // THEN there are three: AWS's FullAWSAccess and the two customer policies
    expect(scps).toHaveLength(3);
    const full = scps.find((p) => p.AwsManaged);
    expect([full?.Id, full?.Name, full?.Arn]).toEqual([
      "p-FullAWSAccess",
      "FullAWSAccess",
      "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
    ]);
    // FullAWSAccess: everywhere but sandbox1, whose entry lists only its allow-list
    expect(await targets("p-FullAWSAccess")).toEqual(
      ["r-a1b2", "ou-a1b2-workload1", "ou-a1b2-data0001", "ou-a1b2-analytic", "000000000000", ...MEMBERS].sort(),
    );
    const byStatement = new Map<string, string>();
    for (const p of scps.filter((x) => !x.AwsManaged)) byStatement.set((await content(p.Id as string)).Statement[0].Sid, p.Id as string);
    expect([...byStatement.keys()].sort()).toEqual(["DenyAssumingDataAccountRoles", "SandboxServicesOnly"]);
    expect(await targets(byStatement.get("DenyAssumingDataAccountRoles") as string)).toEqual(["ou-a1b2-workload1"]);
    expect(await targets(byStatement.get("SandboxServicesOnly") as string)).toEqual(["ou-a1b2-sandbox1"]);
    expect((await content(byStatement.get("SandboxServicesOnly") as string)).Statement[0].Action).toEqual([
      "s3:*",
      "cloudwatch:*",
      "logs:*",
    ]);
    const arn = scps.find((p) => p.Id === byStatement.get("SandboxServicesOnly"))?.Arn;
    expect(arn).toBe(
      `arn:aws:organizations::000000000000:policy/o-a1b2c3d4e5/service_control_policy/${byStatement.get("SandboxServicesOnly")}`,
    );
    // RCPs: none in this inventory but AWS's RCPFullAWSAccess, on every target
    const rcps = (await client.send(new ListPoliciesCommand({ Filter: "RESOURCE_CONTROL_POLICY" }))).Policies ?? [];
    expect(rcps.map((p) => p.Id)).toEqual(["p-RCPFullAWSAccess"]);
  });

  it("pages with MaxResults and NextToken, read whole by the SDK's paginators", async () => {
    // GIVEN five accounts and a policy with nine targets
    const s = await newSandbox({ state: guardrails() });
    const client = orgs(s, rootOf(s, "000000000000"));
    // WHEN the paginators read two at a time
    const pages = [];
    for await (const p of paginateListAccounts({ client, pageSize: 2 }, {})) pages.push(p);
    const targets = [];
    for await (const p of paginateListTargetsForPolicy({ client, pageSize: 2 }, { PolicyId: "p-FullAWSAccess" }))
      targets.push(...(p.Targets ?? []));
    // THEN every page but the last has two and a NextToken, and together they hold everything once
    expect(pages.map((p) => [p.Accounts?.length, p.NextToken !== undefined])).toEqual([
      [2, true],
      [2, true],
      [1, false],
    ]);
    expect(
      pages
        .flatMap((p) => p.Accounts ?? [])
        .map((a) => a.Id)
        .sort(),
    ).toEqual(["000000000000", ...MEMBERS]);
    expect(targets).toHaveLength(9);
    // A token from one list is no token for another, and MaxResults is at most 20
    const token = pages[0]?.NextToken;
    expect((await refusal(client.send(new ListRootsCommand({ NextToken: token })))).name).toBe("InvalidInputException");
    expect((await refusal(client.send(new ListAccountsCommand({ MaxResults: 21 })))).name).toBe("InvalidInputException");
  });

  it("refuses a member account (AccessDeniedException) but lets it describe its organization; a call for an unknown parent is ParentNotFoundException", async () => {
    // GIVEN the guardrails inventory served
    const s = await newSandbox({ state: guardrails() });
    const member = orgs(s, rootOf(s, "111111111111"));
    // WHEN a member account lists the accounts, and describes its organization
    const listed = await refusal(member.send(new ListAccountsCommand({})));
    const described = await member.send(new DescribeOrganizationCommand({}));
    // THEN the list is refused as Organizations refuses a member; the description is answered
    expect(listed.name).toBe("AccessDeniedException");
    expect(listed.message).toBe("You don't have permissions to access this resource.");
    expect(described.Organization?.Id).toBe("o-a1b2c3d4e5");
    const management = orgs(s, rootOf(s, "000000000000"));
    expect((await refusal(management.send(new ListAccountsForParentCommand({ ParentId: "ou-a1b2-nothere1" })))).name).toBe(
      "ParentNotFoundException",
    );
  });
});

describe("AWS Organizations in the sandbox, from a model's accounts", () => {
  it("builds the organization from each account's organization and ou path; the management account is the sandbox's option", async () => {
    // GIVEN the log-archive model (logging, app and tools in o-a1b2c3d4e5; loose in none), logging named the management account
    const state = compile(loadModel(logArchiveModel("{organization: true}"))).state;
    const s = await newSandbox({ state, managementAccounts: [LOGGING] });
    // WHEN the management account, a member and an account in no organization call
    const management = orgs(s, rootOf(s, LOGGING));
    const accounts = (await management.send(new ListAccountsCommand({}))).Accounts ?? [];
    const ous = (await management.send(new ListOrganizationalUnitsForParentCommand({ ParentId: "r-ab12" }))).OrganizationalUnits ?? [];
    const member = await refusal(orgs(s, rootOf(s, APP)).send(new ListAccountsCommand({})));
    const outside = await refusal(orgs(s, rootOf(s, LOOSE)).send(new DescribeOrganizationCommand({})));
    // THEN the accounts and OUs are the model's, named as the model names them
    expect(accounts.map((a) => [a.Id, a.Name]).sort()).toEqual([
      [APP, "app"],
      [LOGGING, "logging"],
      [TOOLS, "tools"],
    ]);
    expect(ous.map((o) => o.Id).sort()).toEqual(["ou-ab12-11111111", "ou-ab12-22222222", "ou-ab12-33333333"]);
    expect(member.name).toBe("AccessDeniedException");
    expect(outside.name).toBe("AWSOrganizationsNotInUseException");
    expect((await orgs(s, rootOf(s, LOGGING)).send(new DescribeOrganizationCommand({}))).Organization?.Id).toBe(ORG);
  });

  it("without a management account named, no account may list: the refusal says how to name one", async () => {
    // GIVEN the same model and no management account
    const s = await newSandbox({ state: compile(loadModel(logArchiveModel("{organization: true}"))).state });
    // WHEN logging lists the accounts
    const refused = await refusal(orgs(s, rootOf(s, LOGGING)).send(new ListAccountsCommand({})));
    // THEN it is refused, naming the option
    expect(refused.name).toBe("AccessDeniedException");
    expect(refused.message).toContain("--management-account");
  });

  it("decides every call with the engine first: a management-account role without organizations:ListAccounts is refused", async () => {
    // GIVEN a role in the management account allowed only s3:*
    const state = compile(loadModel(logArchiveModel("{organization: true}"))).state;
    const role = addWriterRole(state, LOGGING, "writer", ["s3:*"]);
    const s = await newSandbox({ state, managementAccounts: [LOGGING] });
    const session = await assume(s, userKeys(s, `arn:aws:iam::${LOGGING}:user/operator`), role);
    // WHEN it lists the accounts
    const refused = await refusal(orgs(s, session).send(new ListAccountsCommand({})));
    // THEN the engine refuses it as IAM refuses: no identity-based policy allows organizations:ListAccounts
    expect(refused.name).toBe("AccessDeniedException");
    expect(refused.message).toContain("because no identity-based policy allows the organizations:ListAccounts action");
  });
});
