/** The name of the read-only audit role the model's \`audit:\` creates and \`xacct collect\` assumes (kept apart: the CLI's help names it without loading the compiler). */
export const DEFAULT_AUDIT_ROLE = "xacct-audit";
