/**
 * Issue 13's setup 3, a SaaS vendor: an outside account (464622532012) assumes a read-only role in
 * `prod` with an ExternalId, with AWS managed policies attached (and, where asked, a customer
 * managed one). `managedPolicies` is the YAML list's text, `extra` further grant lines.
 */
export const VENDOR_ACCOUNT = "464622532012";
export const PROD = "111122223333";
export const VENDOR_ROLE = `arn:aws:iam::${PROD}:role/vendor-readonly`;

/** `managedOnly` leaves out the grant's service, access and resources: the role only attaches its managed policies. */
export function vendorModel(o: { managedPolicies?: string; partition?: string; via?: string; managedOnly?: boolean } = {}): string {
  return `version: 1
name: vendor
${o.partition ? `partition: ${o.partition}\n` : ""}accounts:
  prod: { id: "${PROD}", region: eu-west-1 }
  saas: { id: "${VENDOR_ACCOUNT}", region: us-east-1, external: true }
workloads:
  scanner:
    account: saas
    identity: { type: external, externalId: acme-7f3a }
grants:
  - workload: scanner
    account: prod
${o.managedOnly ? "" : "    service: s3\n    access: [read]\n    resources: { bucket: audit-reports }\n"}${o.via ? `    via: ${o.via}\n` : ""}    role:
      name: vendor-readonly
      managedPolicies: ${o.managedPolicies ?? `[ReadOnlyAccess, "arn:aws:iam::aws:policy/SecurityAudit"]`}
`;
}
