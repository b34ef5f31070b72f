/**
 * AWS Step Functions: what each access verb grants, and the resources it names. Step Functions has
 * no resource-based policies ("Resource-based policies … No", its IAM feature table): another
 * account reaches a state machine through a role in the state machine's account.
 */
import type { Recipe } from "./recipe.js";

export const states: Recipe = {
  service: "states",
  title: "AWS Step Functions",
  names: ["state-machine"],
  kinds: {
    stateMachine: { type: "statemachine", parts: (n) => ({ StateMachineName: n["state-machine"] ?? "*" }), needs: ["state-machine"] },
    // "states:DescribeExecution … on arn:aws:states:[[region]]:[[accountId]]:execution:[[stateMachineName]]:*"
    execution: {
      type: "execution",
      parts: (n) => ({ StateMachineName: n["state-machine"] ?? "*", ExecutionId: "*" }),
      needs: ["state-machine"],
    },
  },
  access: {
    start: {
      describe: "start executions of the state machine",
      rules: [{ filter: { resourceType: "statemachine", names: ["StartExecution"] }, on: "stateMachine" }],
    },
    describe: {
      describe: "describe the state machine and its executions",
      rules: [
        { filter: { resourceType: "statemachine", names: ["DescribeStateMachine"] }, on: "stateMachine" },
        { filter: { resourceType: "execution", names: ["DescribeExecution"] }, on: "execution" },
      ],
    },
  },
};
