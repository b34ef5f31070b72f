/** Types of ./model-texts.mjs (see there). */
export declare const APP_USER: string;
export declare function modelText(o: {
  name: string;
  region?: string;
  accounts?: 2 | 3;
  organization?: string;
  workloads?: string;
  grants: string;
}): string;
export declare function userAndRoleModel(o: {
  name: string;
  role: string;
  region?: string;
  externalId?: string;
  organization?: string;
  orgOnly?: boolean;
}): string;
export declare function chainModel(o: { name: string; direct?: { role: string; externalId: string } }): string;
