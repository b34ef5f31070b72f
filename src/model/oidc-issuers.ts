/**
 * OpenID Connect issuers as IAM takes them (CreateOpenIDConnectProvider, Url: "The URL must begin
 * with https:// … path components are allowed but query parameters are not. … The URL should not
 * contain a port number.") and what the well-known CI issuers send:
 *
 * - GitHub Actions: issuer https://token.actions.githubusercontent.com; audience sts.amazonaws.com
 *   "if you are using the official action" (aws-actions/configure-aws-credentials, GitHub docs).
 *   IAM refuses a trust on GitHub's provider whose `:sub` is not scoped ("… must evaluate, using
 *   StringEquals, StringLike or StringEqualsIgnoreCase, …:sub which is not scoped to all").
 * - HCP Terraform: issuer https://app.terraform.io; audience aws.workload.identity (HashiCorp docs).
 * - GitLab: the audience is the instance's address, https:// included, no trailing slash (GitLab docs).
 * - Any other issuer (Bitbucket, Kubernetes outside EKS, …): the audience must be given.
 */

/** An issuer URL: https, a DNS host, no port, path segments allowed, no query, fragment or trailing slash. */
export const OIDC_ISSUER_URL =
  /^https:\/\/(?=[^/]{1,253}(\/|$))[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(\/[A-Za-z0-9._~%-]+)*$/;

export const OIDC_ISSUER_RULE =
  "an https:// URL with a lower-case DNS host, no port, no query or fragment and no trailing slash (IAM: the URL must begin with https://, path components are allowed but query parameters are not, and it should not contain a port)";

/** The host of GitHub Actions' issuer: IAM refuses its trusts without a scoped `:sub`. */
export const GITHUB_ACTIONS_ISSUER = "token.actions.githubusercontent.com";

/** The audience a well-known issuer sends to AWS, or undefined where the model must say it. */
export function defaultAudience(issuerUrl: string): string | undefined {
  const issuer = issuerUrl.replace(/^https:\/\//, "");
  if (issuer === GITHUB_ACTIONS_ISSUER) return "sts.amazonaws.com";
  if (issuer === "app.terraform.io") return "aws.workload.identity";
  if (issuer === "gitlab.com") return "https://gitlab.com";
  return undefined;
}

/** Whether a subject pattern admits every subject (only `*` and `?`): IAM's "scoped to all". */
export function admitsEverySubject(subject: string): boolean {
  return /^[*?]*\*[*?]*$/.test(subject) || subject === "";
}

/** Where the model does not name one, the token file the first profile reads (the CI job writes its ID token there). */
export const OIDC_TOKEN_FILE = "/tmp/xacct-web-identity-token";
