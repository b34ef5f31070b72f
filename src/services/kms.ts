/** AWS KMS: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const kms: Recipe = {
  service: "kms",
  title: "AWS KMS",
  names: ["key"],
  kinds: { key: { type: "key", parts: (n) => ({ KeyId: n.key ?? "*" }), needs: ["key"] } },
  access: {
    decrypt: {
      describe: "decrypt with the key",
      rules: [{ filter: { accessLevels: ["Write"], resourceType: "key", prefixes: ["Decrypt"] }, on: "key" }],
    },
  },
  policyHolders: { key: "key" },
};
