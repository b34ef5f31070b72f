/**
 * Name templates (README, "Stages"): names in a model may hold `{stage}`, `{consumerStage}`,
 * `{app}` and `{consumer}`; `fillTemplate` puts each value in, and a placeholder with no value
 * where the name is used is a problem of the model, located by its path.
 */
import { describe, expect, it } from "vitest";
import { fillTemplate, type TemplateVars } from "../src/model/stages.js";
import { ModelPathError } from "../src/model/load.js";

/** The values of a grant expanded per stage: app `orders`, consumer `reporting`, prod read from stage-b. */
const staged: TemplateVars = { app: "orders", consumer: "reporting", stage: "prod", consumerStage: "stage-b" };

/** The problem fillTemplate throws, or undefined when it fills the text. */
function problemOf(text: string, vars: TemplateVars, where: string): ModelPathError | undefined {
  try {
    fillTemplate(text, vars, where);
    return undefined;
  } catch (error) {
    if (error instanceof ModelPathError) return error;
    throw error;
  }
}

describe("fillTemplate", () => {
  it("puts in each of the four placeholders, every time it appears", () => {
    // GIVEN a role name using every placeholder, {stage} twice
    const text = "readonly-{stage}-{app}-by-{consumer}-{consumerStage}-{stage}";
    // WHEN it is filled with a staged grant's values
    const name = fillTemplate(text, staged, "grants[0].role.name");
    // THEN each placeholder has its value
    expect(name).toBe("readonly-prod-orders-by-reporting-stage-b-prod");
  });

  it("leaves a name without placeholders as it is", () => {
    // GIVEN a plain name, with characters IAM allows in role names
    const text = "etl+runner=1,a.b@c_d-e";
    // WHEN it is filled
    // THEN it is unchanged
    expect(fillTemplate(text, staged, "grants[0].role.name")).toBe(text);
  });

  it("refuses {stage} in a grant that is not expanded per stage, naming the path and the placeholder", () => {
    // GIVEN the values of a grant without stages: no stage, no consumer stage
    const unstaged: TemplateVars = { app: "orders", consumer: "reporting" };
    // WHEN a profile name uses {stage}
    const problem = problemOf("orders-api-{stage}", unstaged, "grants[3].profile");
    // THEN the problem is located at the name's path and says which placeholder has no value
    expect(problem?.path).toBe("grants[3].profile");
    expect(problem?.problem).toContain("{stage}");
    expect(problem?.problem).toContain("orders-api-{stage}");
  });

  it("refuses a placeholder that is not one of the four", () => {
    // GIVEN a name with a placeholder the model does not define
    // WHEN it is filled
    const problem = problemOf("{region}-reader", staged, "workloads.w.identity.role");
    // THEN it is a located problem naming that placeholder
    expect(problem?.path).toBe("workloads.w.identity.role");
    expect(problem?.problem).toContain("{region}");
  });

  it("refuses the names of Object.prototype's members as placeholders", () => {
    // GIVEN placeholders that are keys of every JavaScript object, not values of the grant
    for (const key of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      // WHEN a name uses one
      const problem = problemOf(`x-{${key}}`, staged, "grants[0].role.name");
      // THEN it is refused like any unknown placeholder, not filled with a function's text
      expect(problem?.problem, key).toContain(`{${key}}`);
    }
  });
});
