/** When xacct refreshes session credentials: the one rule of the provider, the cache and the credential server. */

/**
 * The epoch milliseconds from which credentials obtained at `obtainedAt` and expiring at
 * `expiration` are due for refresh: `marginMs` before they expire, but at most half their life
 * before, so that a short session is not refreshed on every call.
 */
export function refreshFrom(obtainedAt: number, expiration: number, marginMs: number): number {
  return expiration - Math.min(marginMs, (expiration - obtainedAt) / 2);
}
