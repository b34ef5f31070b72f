/**
 * xacct's request format (`xacct simulate`) in the form of the peer, @cloud-copilot/iam-simulate:
 * its `Simulation`, and its answer as one of xacct's decisions. Shared by the in-process bench and
 * the peer's process of its own (bench/peer-process.mjs). Policies are shared, not copied.
 */

const PEER_DECISIONS = { Allowed: "Allow", ImplicitlyDenied: "ImplicitDeny", ExplicitlyDenied: "ExplicitDeny" };

export function toPeerSimulation(r) {
  const arn = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(r.resource);
  const principalAccount = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(r.principal);
  const accountId = r.resourceAccount ?? arn?.[1] ?? principalAccount?.[1] ?? "";
  const levels = (list, prefix) =>
    (list ?? []).map((level, i) => ({
      orgIdentifier: `${prefix}-level-${i}`,
      policies: level.map((policy, j) => ({ name: `${prefix}-${i}-${j}`, policy })),
    }));
  const simulation = {
    request: { principal: r.principal, action: r.action, resource: { resource: r.resource, accountId }, contextVariables: r.context ?? {} },
    identityPolicies: (r.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: levels(r.scps, "scp"),
    resourceControlPolicies: levels(r.rcps, "rcp"),
  };
  if (r.resourcePolicy) simulation.resourcePolicy = r.resourcePolicy;
  if (r.permissionsBoundary) simulation.permissionBoundaryPolicies = [{ name: "boundary", policy: r.permissionsBoundary }];
  if (r.sessionPolicy) simulation.sessionPolicy = r.sessionPolicy;
  if (r.endpointPolicy) simulation.vpcEndpointPolicies = [{ name: "endpoint", policy: r.endpointPolicy }];
  return simulation;
}

export function peerDecision(response) {
  if (response.resultType === "error") return `error:${response.errors.message}`;
  return PEER_DECISIONS[response.overallResult] ?? `unknown:${response.overallResult}`;
}
