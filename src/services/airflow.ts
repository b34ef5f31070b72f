/** Amazon MWAA: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";

export const airflow: Recipe = {
  service: "airflow",
  title: "Amazon MWAA",
  names: ["environment", "airflow-role"],
  kinds: {
    environment: { type: "environment", parts: (n) => ({ EnvironmentName: n.environment ?? "*" }), needs: ["environment"] },
    "rbac-role": {
      type: "rbac-role",
      parts: (n) => ({ EnvironmentName: n.environment ?? "*", RoleName: n["airflow-role"] ?? "Viewer" }),
      needs: ["environment"],
    },
  },
  access: {
    read: {
      describe: "read the environment",
      rules: [
        { filter: { accessLevels: ["Read"], resourceType: "environment", prefixes: ["GetEnvironment"] }, on: "environment" },
        { filter: { accessLevels: ["List"], prefixes: ["ListEnvironments"] }, on: "*" },
      ],
    },
    "cli-token": {
      describe: "create Airflow CLI tokens",
      rules: [{ filter: { resourceType: "environment", prefixes: ["CreateCliToken"] }, on: "environment" }],
    },
    "web-login": {
      describe: "create Airflow web login tokens",
      rules: [{ filter: { resourceType: "rbac-role", prefixes: ["CreateWebLoginToken"] }, on: "rbac-role" }],
    },
  },
};
