/**
 * Managed policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy and their versions
 * (CreatePolicyVersion with SetAsDefault, GetPolicyVersion, ListPolicyVersions,
 * SetDefaultPolicyVersion, DeletePolicyVersion). The state holds each policy's default version,
 * which is what the engine decides with; the sandbox's IamMeta holds the others.
 */
import type { PolicyDocument } from "../../state/account-state.js";
import { authorizationDetails, policyPathAndName } from "../../state/authorization-details.js";
import { arnOf, attachable, authorize, changed, type IamAction, type IamCall } from "./call.js";
import { readDocument, sizeOfText } from "./documents.js";
import { tagContext } from "./entity.js";
import type { PolicyMeta } from "./meta.js";
import {
  alreadyExists,
  ARN,
  DESCRIPTION,
  deleteConflict,
  DOCUMENT,
  limitExceeded,
  noSuchEntity,
  page,
  PATH,
  PATH_PREFIX,
  POLICY_NAME,
  validationError,
  VERSION_ID,
} from "./params.js";
import { tagList } from "./render.js";

/** IAM's quotas: a managed policy's characters, and its versions. */
const POLICY_SIZE = 6144;
const MAX_VERSIONS = 5;

function readPolicyDocument(call: IamCall, text: string): PolicyDocument {
  if (sizeOfText(text) > POLICY_SIZE) throw limitExceeded(`Cannot exceed quota for PolicySize: ${POLICY_SIZE}`);
  return readDocument(text, "identity", call.core.state);
}

/** A managed policy the caller's account sees (its own, or an AWS managed one the state holds) with its versions. */
function policyAt(call: IamCall, arn: string): { meta: PolicyMeta; customer: boolean } {
  const document = attachable(call, arn);
  if (!document) throw noSuchEntity(`Policy ${arn} was not found.`);
  return { meta: call.meta.policy(arn, document), customer: call.account.managedPolicies.has(arn) };
}

/** A Policy as GetPolicy returns it: the account's authorization details' entry, without its versions. */
function policyShape(call: IamCall, arn: string, listed = false): Record<string, unknown> {
  const details = authorizationDetails(call.account, {
    ...call.meta.facts(call.account, call.core.state),
    awsManagedPolicies: new Map([[arn, attachable(call, arn) as PolicyDocument]]),
  });
  const entry = (details.Policies as Record<string, unknown>[]).find((p) => p.Arn === arn) as Record<string, unknown>;
  const policy = { ...entry };
  const description = policy.Description;
  delete policy.PolicyVersionList;
  delete policy.Description;
  const tags = call.meta.policy(arn, attachable(call, arn) as PolicyDocument).tags;
  return {
    ...policy,
    ...(listed || description === undefined ? {} : { Description: description }),
    ...(!listed && tags.size ? { Tags: tagList(tags) } : {}),
  };
}

function versionParam(call: IamCall): string {
  return call.params.required("VersionId", "versionId", VERSION_ID);
}

function versionOf(meta: PolicyMeta, arn: string, id: string) {
  const version = meta.versions.find((v) => v.VersionId === id);
  if (!version) throw noSuchEntity(`Policy ${arn} version ${id} does not exist or is not attachable.`);
  return version;
}

const createPolicy: IamAction = (call) => {
  const name = call.params.required("PolicyName", "policyName", POLICY_NAME);
  const path = call.params.optional("Path", "path", PATH) ?? "/";
  const text = call.params.required("PolicyDocument", "policyDocument", DOCUMENT);
  const description = call.params.optional("Description", "description", DESCRIPTION);
  const tags = call.params.tags();
  const arn = arnOf(call, "policy", name, path);
  authorize(call, "iam:CreatePolicy", arn, tagContext(tags));
  const lower = name.toLowerCase();
  if ([...call.account.managedPolicies.keys()].some((a) => policyPathAndName(a).name.toLowerCase() === lower))
    throw alreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
  const document = readPolicyDocument(call, text);
  call.account.managedPolicies.set(arn, document);
  call.meta.create(arn, call.now);
  call.meta.setPolicy(arn, {
    createDate: call.now,
    updateDate: call.now,
    defaultVersionId: "v1",
    versions: [{ VersionId: "v1", Document: document, CreateDate: call.now }],
    nextVersion: 2,
    tags,
    ...(description !== undefined ? { description } : {}),
  });
  changed(call);
  return { Policy: policyShape(call, arn) };
};

const getPolicy: IamAction = (call) => {
  const arn = call.params.required("PolicyArn", "policyArn", ARN);
  authorize(call, "iam:GetPolicy", arn);
  policyAt(call, arn);
  return { Policy: policyShape(call, arn) };
};

const getPolicyVersion: IamAction = (call) => {
  const arn = call.params.required("PolicyArn", "policyArn", ARN);
  const id = versionParam(call);
  authorize(call, "iam:GetPolicyVersion", arn);
  const { meta } = policyAt(call, arn);
  const version = versionOf(meta, arn, id);
  return {
    PolicyVersion: {
      Document: version.Document,
      VersionId: version.VersionId,
      IsDefaultVersion: version.VersionId === meta.defaultVersionId,
      CreateDate: version.CreateDate,
    },
  };
};

/** A customer managed policy of the caller's account, which it may version and delete. */
function ownPolicy(call: IamCall, arn: string): PolicyMeta {
  const { meta, customer } = policyAt(call, arn);
  if (!customer) throw noSuchEntity(`Policy ${arn} was not found.`);
  return meta;
}

function makeDefault(call: IamCall, arn: string, meta: PolicyMeta, id: string): void {
  const version = versionOf(meta, arn, id);
  meta.defaultVersionId = id;
  meta.updateDate = call.now;
  call.account.managedPolicies.set(arn, version.Document);
  changed(call);
}

const createPolicyVersion: IamAction = (call) => {
  const arn = call.params.required("PolicyArn", "policyArn", ARN);
  const text = call.params.required("PolicyDocument", "policyDocument", DOCUMENT);
  const setAsDefault = call.params.boolean("SetAsDefault", "setAsDefault") ?? false;
  authorize(call, "iam:CreatePolicyVersion", arn);
  const meta = ownPolicy(call, arn);
  const document = readPolicyDocument(call, text);
  if (meta.versions.length >= MAX_VERSIONS)
    throw limitExceeded(
      `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
    );
  const id = `v${meta.nextVersion++}`;
  meta.versions.push({ VersionId: id, Document: document, CreateDate: call.now });
  if (setAsDefault) makeDefault(call, arn, meta, id);
  return { PolicyVersion: { VersionId: id, IsDefaultVersion: setAsDefault, CreateDate: call.now } };
};

const listPolicyVersions: IamAction = (call) => {
  const arn = call.params.required("PolicyArn", "policyArn", ARN);
  authorize(call, "iam:ListPolicyVersions", arn);
  const { meta } = policyAt(call, arn);
  const { items, ...more } = page([...meta.versions].reverse(), call.params);
  return {
    Versions: items.map((v) => ({
      VersionId: v.VersionId,
      IsDefaultVersion: v.VersionId === meta.defaultVersionId,
      CreateDate: v.CreateDate,
    })),
    ...more,
  };
};

const setDefaultPolicyVersion: IamAction = (call) => {
  const arn = call.params.required("PolicyArn", "policyArn", ARN);
  const id = versionParam(call);
  authorize(call, "iam:SetDefaultPolicyVersion", arn);
  makeDefault(call, arn, ownPolicy(call, arn), id);
  return undefined;
};

const deletePolicyVersion: IamAction = (call) => {
  const arn = call.params.required("PolicyArn", "policyArn", ARN);
  const id = versionParam(call);
  authorize(call, "iam:DeletePolicyVersion", arn);
  const meta = ownPolicy(call, arn);
  versionOf(meta, arn, id);
  if (id === meta.defaultVersionId) throw deleteConflict("Cannot delete the default version of a policy.");
  meta.versions = meta.versions.filter((v) => v.VersionId !== id);
  return undefined;
};

const SCOPES = new Set(["All", "AWS", "Local"]);

const listPolicies: IamAction = (call) => {
  const scope = call.params.optional("Scope", "scope") ?? "All";
  if (!SCOPES.has(scope))
    throw validationError(
      `1 validation error detected: Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`,
    );
  const onlyAttached = call.params.boolean("OnlyAttached", "onlyAttached") ?? false;
  const prefix = call.params.optional("PathPrefix", "pathPrefix", PATH_PREFIX) ?? "/";
  authorize(call, "iam:ListPolicies", arnOf(call, "policy", ""));
  const local = scope === "AWS" ? [] : [...call.account.managedPolicies.keys()];
  const aws = scope === "Local" ? [] : [...(call.core.state.awsManagedPolicies?.keys() ?? [])];
  const all = [...local, ...aws]
    .map((arn) => policyShape(call, arn, true))
    .filter((p) => String(p.Path).startsWith(prefix) && (!onlyAttached || Number(p.AttachmentCount) > 0));
  const { items, ...more } = page(all, call.params);
  return { Policies: items, ...more };
};

const deletePolicy: IamAction = (call) => {
  const arn = call.params.required("PolicyArn", "policyArn", ARN);
  authorize(call, "iam:DeletePolicy", arn);
  const meta = ownPolicy(call, arn);
  const shape = policyShape(call, arn);
  if (Number(shape.AttachmentCount) + Number(shape.PermissionsBoundaryUsageCount) > 0)
    throw deleteConflict("Cannot delete a policy attached to entities.");
  if (meta.versions.length > 1)
    throw deleteConflict(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
  call.account.managedPolicies.delete(arn);
  call.meta.forget(arn);
  changed(call);
  return undefined;
};

export const POLICY_ACTIONS: Record<string, IamAction> = {
  CreatePolicy: createPolicy,
  GetPolicy: getPolicy,
  GetPolicyVersion: getPolicyVersion,
  CreatePolicyVersion: createPolicyVersion,
  ListPolicyVersions: listPolicyVersions,
  SetDefaultPolicyVersion: setDefaultPolicyVersion,
  DeletePolicyVersion: deletePolicyVersion,
  ListPolicies: listPolicies,
  DeletePolicy: deletePolicy,
};
