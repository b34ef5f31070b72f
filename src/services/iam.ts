/** AWS IAM: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const iam: Recipe = {
  service: "iam",
  title: "AWS IAM",
  names: ["role"],
  kinds: { role: { type: "role", parts: (n) => ({ RoleNameWithPath: n.role ?? "*" }), needs: ["role"] } },
  access: {
    "pass-role": { describe: "pass the role to a service", rules: [{ filter: { prefixes: ["PassRole"] }, on: "role" }] },
  },
};
