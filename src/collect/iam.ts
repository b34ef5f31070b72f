/**
 * An account's IAM, as `aws iam get-account-authorization-details` prints it: every page of
 * GetAccountAuthorizationDetails (the SDK's paginator follows Marker while IsTruncated) merged
 * into one document, policy documents decoded from their URL encoding, dates as ISO text; and the
 * account's OIDC and SAML providers (their ARNs). The actions these calls need are declared once,
 * as IAM_READ_ACTIONS (src/services/policy-collector.ts): the audit role allows exactly them.
 */
import {
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  ListSAMLProvidersCommand,
  paginateGetAccountAuthorizationDetails,
} from "@aws-sdk/client-iam";
import type { CollectClients } from "../services/policy-collector.js";
import { policyDocumentOf } from "../state/inventory.js";
import type { AuthorizationDetailsFile } from "../state/inventory-writer.js";

/** The members of a details page holding a policy document, as the API returns them (URL-encoded JSON). */
const DOCUMENTS = new Set(["AssumeRolePolicyDocument", "PolicyDocument", "Document"]);

/** An SDK answer in the CLI's format: documents decoded (and checked), dates as ISO text, no $metadata. */
function cliFormat(value: unknown, path: string, key = ""): unknown {
  if (DOCUMENTS.has(key) && typeof value === "string") return policyDocumentOf(value, path);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v, i) => cliFormat(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => k !== "$metadata" && v !== undefined)
        .map(([k, v]) => [k, cliFormat(v, `${path}.${k}`, k)]),
    );
  return value;
}

export interface IamRead {
  details: AuthorizationDetailsFile;
  oidcProviders: string[];
  samlProviders: string[];
  /** Pages of GetAccountAuthorizationDetails read. */
  pages: number;
}

export async function readIam(clients: CollectClients): Promise<IamRead> {
  const client = clients.make((config) => new IAMClient(config));
  const details: AuthorizationDetailsFile = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  let pages = 0;
  for await (const page of paginateGetAccountAuthorizationDetails({ client }, {})) {
    for (const list of ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"] as const)
      for (const entry of page[list] ?? []) details[list].push(cliFormat(entry, `${list}[${details[list].length}]`));
    pages++;
  }
  const oidc = await client.send(new ListOpenIDConnectProvidersCommand({}));
  const saml = await client.send(new ListSAMLProvidersCommand({}));
  return {
    details,
    oidcProviders: (oidc.OpenIDConnectProviderList ?? []).flatMap((p) => (p.Arn ? [p.Arn] : [])),
    samlProviders: (saml.SAMLProviderList ?? []).flatMap((p) => (p.Arn ? [p.Arn] : [])),
    pages,
  };
}
