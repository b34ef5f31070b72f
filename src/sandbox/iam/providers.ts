/**
 * OpenID Connect identity providers: Create/Get/List/DeleteOpenIDConnectProvider, client IDs
 * (Add/RemoveClientIDTo/FromOpenIDConnectProvider) and UpdateOpenIDConnectProviderThumbprint.
 * The state holds each provider's issuer and audiences (what trust decisions use); the sandbox's
 * IamMeta its thumbprints and tags.
 */
import type { OidcProviderState } from "../../state/account-state.js";
import { arnOf, authorize, changed, type IamAction, type IamCall } from "./call.js";
import { tagContext } from "./entity.js";
import type { StringShape } from "../query-params.js";
import { alreadyExists, ARN, invalidInput, limitExceeded, noSuchEntity, validationError } from "./params.js";
import { tagList } from "./render.js";

const URL_CONSTRAINT: StringShape = { min: 1, max: 255 };
const CLIENT_ID: StringShape = { min: 1, max: 255 };
const THUMBPRINT: StringShape = { min: 40, max: 40 };
/** IAM's quotas: client IDs per provider, thumbprints per provider, providers per account. */
const MAX_CLIENT_IDS = 100;
const MAX_THUMBPRINTS = 5;
const MAX_PROVIDERS = 100;

function thumbprints(call: IamCall, required: boolean): string[] {
  const list = call.params.list("ThumbprintList", "thumbprintList", THUMBPRINT, MAX_THUMBPRINTS);
  if (required && list.length === 0)
    throw validationError(
      "1 validation error detected: Value null at 'thumbprintList' failed to satisfy constraint: Member must not be null",
    );
  return list;
}

function providerArn(call: IamCall): string {
  return call.params.required("OpenIDConnectProviderArn", "openIDConnectProviderArn", ARN);
}

function providerAt(call: IamCall, arn: string): OidcProviderState {
  const provider = call.account.oidcProviders.get(arn);
  if (!provider) throw noSuchEntity(`OpenIDConnect provider not found for arn ${arn}`);
  return provider;
}

const createProvider: IamAction = (call) => {
  const url = call.params.required("Url", "url", URL_CONSTRAINT);
  const clientIds = call.params.list("ClientIDList", "clientIDList", CLIENT_ID, MAX_CLIENT_IDS);
  const prints = thumbprints(call, false);
  const tags = call.params.tags();
  const parsed = /^https:\/\/([^/?#\s]+(?:\/[^?#\s]*)?)$/i.exec(url);
  if (!parsed) throw invalidInput("The URL of an OpenID Connect provider must begin with https:// and have no query or fragment.");
  const issuer = (parsed[1] as string).replace(/\/$/, "");
  const arn = arnOf(call, "oidc-provider", issuer, "/");
  authorize(call, "iam:CreateOpenIDConnectProvider", arn, tagContext(tags));
  if (call.account.oidcProviders.has(arn)) throw alreadyExists(`Provider with url https://${issuer} already exists.`);
  if (call.account.oidcProviders.size >= MAX_PROVIDERS)
    throw limitExceeded(`Cannot exceed quota for OpenIdProvidersPerAccount: ${MAX_PROVIDERS}`);
  call.account.oidcProviders.set(arn, { arn, issuer, clientIds: [...new Set(clientIds)] });
  call.meta.create(arn, call.now);
  Object.assign(call.meta.provider(arn), { thumbprints: prints, tags });
  changed(call);
  return { OpenIDConnectProviderArn: arn, ...(tags.size ? { Tags: tagList(tags) } : {}) };
};

const getProvider: IamAction = (call) => {
  const arn = providerArn(call);
  authorize(call, "iam:GetOpenIDConnectProvider", arn);
  const provider = providerAt(call, arn);
  const meta = call.meta.provider(arn);
  return {
    Url: provider.issuer,
    ClientIDList: provider.clientIds,
    ThumbprintList: meta.thumbprints,
    CreateDate: call.meta.createDate(arn),
    Tags: tagList(meta.tags),
  };
};

const listProviders: IamAction = (call) => {
  // The service authorization reference lists no resource type for this action.
  authorize(call, "iam:ListOpenIDConnectProviders", "*");
  return { OpenIDConnectProviderList: [...call.account.oidcProviders.keys()].map((Arn) => ({ Arn })) };
};

/** The account's SAML providers (the sandbox keeps their ARNs, not their metadata): collect reads them. */
const listSamlProviders: IamAction = (call) => {
  // The service authorization reference lists no resource type for this action.
  authorize(call, "iam:ListSAMLProviders", "*");
  return { SAMLProviderList: [...call.account.samlProviders].sort().map((Arn) => ({ Arn })) };
};

const deleteProvider: IamAction = (call) => {
  const arn = providerArn(call);
  authorize(call, "iam:DeleteOpenIDConnectProvider", arn);
  providerAt(call, arn);
  call.account.oidcProviders.delete(arn);
  call.meta.forget(arn);
  changed(call);
  return undefined;
};

const addClientId: IamAction = (call) => {
  const arn = providerArn(call);
  const clientId = call.params.required("ClientID", "clientID", CLIENT_ID);
  authorize(call, "iam:AddClientIDToOpenIDConnectProvider", arn);
  const provider = providerAt(call, arn);
  if (provider.clientIds.includes(clientId)) return undefined;
  if (provider.clientIds.length >= MAX_CLIENT_IDS)
    throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
  provider.clientIds.push(clientId);
  changed(call);
  return undefined;
};

const removeClientId: IamAction = (call) => {
  const arn = providerArn(call);
  const clientId = call.params.required("ClientID", "clientID", CLIENT_ID);
  authorize(call, "iam:RemoveClientIDFromOpenIDConnectProvider", arn);
  const provider = providerAt(call, arn);
  provider.clientIds = provider.clientIds.filter((c) => c !== clientId);
  changed(call);
  return undefined;
};

const updateThumbprint: IamAction = (call) => {
  const arn = providerArn(call);
  const prints = thumbprints(call, true);
  authorize(call, "iam:UpdateOpenIDConnectProviderThumbprint", arn);
  providerAt(call, arn);
  call.meta.provider(arn).thumbprints = prints;
  return undefined;
};

export const PROVIDER_ACTIONS: Record<string, IamAction> = {
  CreateOpenIDConnectProvider: createProvider,
  GetOpenIDConnectProvider: getProvider,
  ListOpenIDConnectProviders: listProviders,
  ListSAMLProviders: listSamlProviders,
  DeleteOpenIDConnectProvider: deleteProvider,
  AddClientIDToOpenIDConnectProvider: addClientId,
  RemoveClientIDFromOpenIDConnectProvider: removeClientId,
  UpdateOpenIDConnectProviderThumbprint: updateThumbprint,
};
