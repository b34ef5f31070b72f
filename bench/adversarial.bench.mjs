/**
 * Requests built to make a policy engine slow (issue 11, items 9 and 11), each decided once per
 * repetition, beside the floor: JSON.parse of the same request line, which any engine must do.
 *   - a policy variable `${a` + 100,000 spaces + `b}` (a backtracking default-value regex is quadratic);
 *   - ForAnyValue:StringEquals and ForAllValues:StringEqualsIgnoreCase with 100,000 policy values
 *     against 10,000 request values (comparing each with each is their product).
 * Run alone (`npm run build && node bench/adversarial.bench.mjs`) or as the last part of `npm run bench`.
 * It asserts nothing: it prints figures. BENCH_REPS (default 5).
 */
import { performance } from "node:perf_hooks";
import { simulateLine } from "../dist/policy/index.js";
import { envNumber, tableLines } from "./util.mjs";

const REPS = Math.max(1, envNumber("BENCH_REPS", 5));
const fmtMs = (ms) => `${ms.toFixed(2)} ms`;
const range = (n, name) => Array.from({ length: n }, (_, i) => name(i));

function request(condition, context) {
  return JSON.stringify({
    principal: "arn:aws:iam::111111111111:user/alice",
    action: "dynamodb:PutItem",
    resource: "arn:aws:dynamodb:us-east-1:111111111111:table/Thread",
    identityPolicies: [
      { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:PutItem", Resource: "*", Condition: condition }] },
    ],
    context,
  });
}

const policyValues = range(100_000, (i) => `attribute-${i}`);
const requestValues = range(10_000, (i) => `ATTRIBUTE-${99_999 - i}`);
const cases = [
  [
    "variable ${a + 100,000 spaces + b}",
    request({ StringEquals: { "aws:PrincipalTag/team": "${a" + " ".repeat(100_000) + "b, 'blue'}" } }, { "aws:PrincipalTag/team": "blue" }),
  ],
  [
    "ForAnyValue:StringEquals 100,000 x 10,000",
    request(
      { "ForAnyValue:StringEquals": { "dynamodb:Attributes": policyValues } },
      { "dynamodb:Attributes": range(10_000, (i) => `other-${i}`) },
    ),
  ],
  [
    "ForAllValues:StringEqualsIgnoreCase 100,000 x 10,000",
    request({ "ForAllValues:StringEqualsIgnoreCase": { "dynamodb:Attributes": policyValues } }, { "dynamodb:Attributes": requestValues }),
  ],
];

function best(pass) {
  let min = Infinity;
  let result;
  for (let i = 0; i <= REPS; i++) {
    const start = performance.now();
    result = pass();
    // The first round warms up and is not counted.
    if (i > 0) min = Math.min(min, performance.now() - start);
  }
  return { ms: min, result };
}

const rows = [["adversarial request (one line)", "floor: JSON.parse", "xacct: simulateLine", "ratio", "decision"]];
for (const [name, line] of cases) {
  const floor = best(() => JSON.parse(line));
  const xacct = best(() => simulateLine(line, 1));
  const decision = "error" in xacct.result ? `error: ${xacct.result.error}` : xacct.result.decision;
  rows.push([name, fmtMs(floor.ms), fmtMs(xacct.ms), `${(xacct.ms / floor.ms).toFixed(1)}x floor`, decision]);
}
process.stdout.write(`\nAdversarial requests (best of ${REPS}):\n${tableLines(rows).join("\n")}\n`);
