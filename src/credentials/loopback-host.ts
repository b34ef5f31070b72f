/**
 * The Host check of xacct's loopback servers (the sandbox's own endpoints, `serve-credentials`):
 * a request is answered only when its Host header names the loopback address, `127.0.0.1` or
 * `localhost`, at any port (RFC 9110 §7.2: Host carries the target URI's authority; a port
 * forwarded or mapped elsewhere keeps the name). A web page that a DNS rebinding points at
 * 127.0.0.1 sends its own site's name, so the browser's same-origin policy cannot be turned against
 * the server. The SDKs' container-credentials providers and the sandbox's clients send the URL's
 * own authority, which passes.
 */

/** Whether `host` (a Host header) names the loopback address. */
export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && /^(?:127\.0\.0\.1|localhost)(?::\d{1,5})?$/i.test(host);
}

/** RFC 9110 §15.5.20: 421 Misdirected Request, for a request whose Host is not the loopback address. */
export const MISDIRECTED = {
  status: 421,
  code: "MisdirectedRequest",
  message: "The Host header must be 127.0.0.1 or localhost (with the port): this server answers its own machine only",
} as const;
