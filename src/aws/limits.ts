/**
 * AWS's limits on role sessions, each defined once. Quotes are from the STS API Reference
 * (AssumeRole, DurationSeconds) and the IAM API Reference (CreateRole, MaxSessionDuration).
 * This module imports nothing of xacct: every other folder may use it.
 */

/**
 * The longest a chained role session lasts: "Role chaining limits your AWS CLI or AWS API role
 * session to a maximum of one hour … if you assume a role using role chaining and provide a
 * DurationSeconds parameter value greater than one hour, the operation fails."
 */
export const CHAIN_LIMIT_SECONDS = 3600;

/**
 * AssumeRole*'s DurationSeconds: "can range from 900 seconds (15 minutes) up to the maximum
 * session duration set for the role", at most 43200 seconds (12 hours).
 */
export const ROLE_SESSION_SECONDS = { min: 900, max: 43200 } as const;

/**
 * GetSessionToken's DurationSeconds: "Acceptable durations for IAM user sessions range from
 * 900 seconds (15 minutes) to 129,600 seconds (36 hours), with 43,200 seconds (12 hours) as the
 * default. Sessions for AWS account owners are
 * restricted to a maximum of 3,600 seconds (one hour)."
 */
export const SESSION_TOKEN_SECONDS = { min: 900, max: 129600, default: 43200, root: 3600 } as const;

/** AssumeRole*'s DurationSeconds when none is given: "By default, the value is set to 3600 seconds." */
export const DEFAULT_ROLE_SESSION_SECONDS = 3600;

/**
 * A role's MaxSessionDuration: "If you do not specify a value for this setting, the default value
 * of one hour is applied. This setting can have a value from 1 hour to 12 hours."
 */
export const MAX_SESSION_DURATION = { min: 3600, max: 43200, default: 3600 } as const;

/**
 * How long before Expiration the AWS SDK for JavaScript v3 treats credentials as expired and gets
 * new ones: five minutes (@smithy/core's memoized identity providers, EXPIRATION_MS = 300_000).
 */
export const SDK_JS_REFRESH_SECONDS = 300;

/**
 * How long before Expiration botocore (boto3, the AWS CLI) refreshes credentials: its advisory
 * refresh, 15 minutes (a mandatory refresh follows at 10).
 */
export const BOTOCORE_REFRESH_SECONDS = 900;

/**
 * Managed policies attached to one IAM role, IAM's quota: "Managed policies attached to an IAM
 * role | 10 | 20" (default | maximum; the default can be raised through Service Quotas).
 */
export const ROLE_MANAGED_POLICIES = { default: 10, max: 20 } as const;
