/**
 * Checks a CloudFormation template against AWS's resource specification as packaged by
 * `@aws-cdk/aws-service-spec` (the database aws-cdk-lib's L1 constructs are generated from): every
 * resource type exists, every property is one the type has, required properties are present, each
 * value has the spec's type (string, number, integer, boolean, json, list, map, tag, nested type),
 * and Ref / Fn::GetAtt / Fn::Sub / DependsOn name things that exist.
 */
import { loadAwsServiceSpec } from "@aws-cdk/aws-service-spec";
import type { PropertyType, ResourceProperties, SpecDatabase } from "@aws-cdk/service-spec-types";

type Obj = Record<string, unknown>;

const SECTIONS = new Set([
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Transform",
  "Resources",
  "Outputs",
]);
const RESOURCE_KEYS = new Set([
  "Type",
  "Properties",
  "DependsOn",
  "Metadata",
  "Condition",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "CreationPolicy",
  "UpdatePolicy",
]);
const PSEUDO = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);

let db: SpecDatabase | undefined;

export async function loadSpec(): Promise<SpecDatabase> {
  db ??= await loadAwsServiceSpec();
  return db;
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

class Checker {
  readonly errors: string[] = [];
  constructor(
    private readonly spec: SpecDatabase,
    private readonly template: Obj,
  ) {}

  private resources(): Obj {
    return isObj(this.template.Resources) ? this.template.Resources : {};
  }

  private resource(cfnType: string) {
    return this.spec.lookup("resource", "cloudFormationType", "equals", cfnType)[0];
  }

  run(): string[] {
    const t = this.template;
    for (const key of Object.keys(t)) if (!SECTIONS.has(key)) this.errors.push(`${key}: not a template section`);
    if (t.AWSTemplateFormatVersion !== undefined && t.AWSTemplateFormatVersion !== "2010-09-09")
      this.errors.push(`AWSTemplateFormatVersion: must be "2010-09-09"`);
    if (t.Description !== undefined && (typeof t.Description !== "string" || Buffer.byteLength(t.Description) > 1024))
      this.errors.push("Description: must be a string of at most 1024 bytes");
    const resources = this.resources();
    if (Object.keys(resources).length === 0) this.errors.push("Resources: a template needs at least one resource");
    for (const [id, resource] of Object.entries(resources)) this.checkResource(id, resource);
    for (const [id, output] of Object.entries(isObj(t.Outputs) ? t.Outputs : {})) {
      if (!/^[A-Za-z0-9]+$/.test(id)) this.errors.push(`Outputs.${id}: logical IDs are alphanumeric`);
      if (!isObj(output) || output.Value === undefined) this.errors.push(`Outputs.${id}: needs a Value`);
      else this.checkIntrinsics(`Outputs.${id}.Value`, output.Value);
    }
    return this.errors;
  }

  private checkResource(id: string, resource: unknown): void {
    const at = `Resources.${id}`;
    if (!/^[A-Za-z0-9]{1,255}$/.test(id)) this.errors.push(`${at}: logical IDs are alphanumeric`);
    if (!isObj(resource)) return void this.errors.push(`${at}: must be an object`);
    for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.has(key)) this.errors.push(`${at}.${key}: not a resource attribute`);
    for (const dep of [resource.DependsOn ?? []].flat())
      if (typeof dep !== "string" || !(dep in this.resources())) this.errors.push(`${at}.DependsOn: no resource ${String(dep)}`);
    const spec = typeof resource.Type === "string" ? this.resource(resource.Type) : undefined;
    if (!spec) return void this.errors.push(`${at}.Type: unknown resource type ${String(resource.Type)}`);
    const props = resource.Properties ?? {};
    if (!isObj(props)) return void this.errors.push(`${at}.Properties: must be an object`);
    this.checkProperties(`${at}.Properties`, props, spec.properties);
  }

  private checkProperties(at: string, value: Obj, properties: ResourceProperties): void {
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && value[name] === undefined) this.errors.push(`${at}.${name}: required`);
    }
    for (const [name, v] of Object.entries(value)) {
      const property = properties[name];
      if (!property) this.errors.push(`${at}.${name}: not a property (known: ${Object.keys(properties).join(", ")})`);
      else this.checkType(`${at}.${name}`, v, property.type);
    }
  }

  /** An intrinsic function stands for a value of any type; its own references are checked. */
  private isIntrinsic(value: unknown): value is Obj {
    if (!isObj(value)) return false;
    const keys = Object.keys(value);
    return keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::"));
  }

  private checkType(at: string, value: unknown, type: PropertyType): void {
    if (this.isIntrinsic(value)) return this.checkIntrinsics(at, value);
    const fail = (what: string) => void this.errors.push(`${at}: expected ${what}, got ${JSON.stringify(value)?.slice(0, 80)}`);
    switch (type.type) {
      case "string":
      case "date-time":
        if (typeof value !== "string") return fail("a string");
        if (type.type === "string" && type.allowedValues && !type.allowedValues.includes(value))
          return fail(`one of ${type.allowedValues.join(", ")}`);
        return;
      case "number":
        return void (typeof value !== "number" && fail("a number"));
      case "integer":
        return void (!Number.isInteger(value) && fail("an integer"));
      case "boolean":
        return void (typeof value !== "boolean" && fail("a boolean"));
      case "null":
        return void (value !== null && fail("null"));
      case "json":
        if (!isObj(value) && !Array.isArray(value)) return fail("a JSON object");
        return this.checkIntrinsics(at, value);
      case "tag":
        if (!isObj(value) || Object.keys(value).sort().join() !== "Key,Value") return fail("a tag {Key, Value}");
        return void ((typeof value.Key !== "string" || typeof value.Value !== "string") && fail("string Key and Value"));
      case "array":
        if (!Array.isArray(value)) return fail("a list");
        return value.forEach((v, i) => this.checkType(`${at}[${i}]`, v, type.element));
      case "map":
        if (!isObj(value)) return fail("a map");
        return Object.entries(value).forEach(([k, v]) => this.checkType(`${at}.${k}`, v, type.element));
      case "union": {
        const before = this.errors.length;
        const matches = type.types.some((t) => {
          this.checkType(at, value, t);
          const ok = this.errors.length === before;
          this.errors.length = before;
          return ok;
        });
        return void (!matches && fail(type.types.map((t) => t.type).join(" or ")));
      }
      case "ref": {
        if (!isObj(value)) return fail("an object");
        const def = this.spec.get("typeDefinition", type.reference.$ref);
        return this.checkProperties(at, value, def.properties);
      }
    }
  }

  /** Ref, Fn::GetAtt and Fn::Sub anywhere in a value must name parameters, pseudo parameters or resources (and their attributes). */
  private checkIntrinsics(at: string, value: unknown): void {
    if (Array.isArray(value)) return value.forEach((v, i) => this.checkIntrinsics(`${at}[${i}]`, v));
    if (!isObj(value)) return;
    const params = isObj(this.template.Parameters) ? this.template.Parameters : {};
    const known = (name: string) => PSEUDO.has(name) || name in params || name in this.resources();
    for (const [key, v] of Object.entries(value)) {
      if (key === "Ref" && (typeof v !== "string" || !known(v))) this.errors.push(`${at}: Ref to unknown ${String(v)}`);
      else if (key === "Fn::GetAtt") this.checkGetAtt(at, v);
      else if (key === "Fn::Sub") {
        const text = Array.isArray(v) ? v[0] : v;
        if (typeof text !== "string") this.errors.push(`${at}: Fn::Sub needs a string`);
        else
          for (const [, name] of text.matchAll(/\$\{([^!}][^}]*)\}/g))
            if (!known(name!.split(".")[0]!)) this.errors.push(`${at}: Fn::Sub names unknown \${${name}}`);
      } else this.checkIntrinsics(`${at}.${key}`, v);
    }
  }

  private checkGetAtt(at: string, v: unknown): void {
    const [id, attribute] = Array.isArray(v) ? v : typeof v === "string" ? v.split(".") : [];
    const target = this.resources()[String(id)];
    const type = isObj(target) && typeof target.Type === "string" ? this.resource(target.Type) : undefined;
    if (!type) this.errors.push(`${at}: Fn::GetAtt of unknown resource ${String(id)}`);
    else if (!(String(attribute) in type.attributes))
      this.errors.push(`${at}: ${String(target && (target as Obj).Type)} has no attribute ${String(attribute)}`);
  }
}

/** Every problem with the template; empty when it conforms to the spec. */
export async function validateTemplate(template: unknown): Promise<string[]> {
  if (!isObj(template)) return ["template: must be a JSON object"];
  return new Checker(await loadSpec(), template).run();
}
