/**
 * Test helper: a GET through node:http with exactly the headers given, Host included (fetch sets
 * its own Host): what a browser sends when a DNS rebinding points another site's name at 127.0.0.1.
 */
import { request } from "node:http";

export interface RawAnswer {
  status: number;
  body: string;
}

export function rawGet(url: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}
