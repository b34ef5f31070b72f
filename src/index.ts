/** xacct: cross-account AWS access, declared, generated, proven and used. */
export * from "./policy/index.js";
