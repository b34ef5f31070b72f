/** Amazon EMR: what each access verb grants, and the resources it names. */
import type { Recipe } from "./recipe.js";
import { pythonLiteral as py } from "../text/escape.js";
import { AIRFLOW_PROVIDER, type AirflowTask, resourceOf } from "./outputs.js";

export const elasticmapreduce: Recipe = {
  service: "elasticmapreduce",
  title: "Amazon EMR",
  names: ["cluster", "service-role", "instance-profile-role"],
  kinds: { cluster: { type: "cluster", parts: (n) => ({ ClusterId: n.cluster ?? "*" }), needs: [] } },
  access: {
    "run-job-flow": { describe: "create clusters (job flows)", rules: [{ filter: { prefixes: ["RunJobFlow"] }, on: "*" }] },
    terminate: {
      describe: "terminate clusters",
      rules: [{ filter: { resourceType: "cluster", prefixes: ["TerminateJobFlows"] }, on: "cluster" }],
    },
    steps: {
      describe: "add, list, describe and cancel steps",
      rules: [
        {
          filter: {
            resourceType: "cluster",
            prefixes: ["AddJobFlowSteps", "CancelSteps", "DescribeStep", "ListSteps", "DescribeCluster"],
          },
          on: "cluster",
        },
      ],
    },
  },
  companions: (n) =>
    [n["service-role"], n["instance-profile-role"]]
      .filter((r): r is string => r !== undefined)
      .map((role) => ({ service: "iam", access: ["pass-role"], resources: { role } })),
  airflowTasks: (use, dag) => {
    const r = (name: string) => resourceOf(use, name);
    const tasks: AirflowTask[] = [];
    let create: string | undefined;
    if (use.access.includes("run-job-flow")) {
      create = dag.taskId(`emr_create_job_flow_${use.accountName}`);
      const overrides = {
        Name: `xacct-${use.workload}`,
        ReleaseLabel: "emr-7.1.0",
        Applications: [{ Name: "Spark" }],
        ...(r("service-role") ? { ServiceRole: r("service-role") } : {}),
        ...(r("instance-profile-role") ? { JobFlowRole: r("instance-profile-role") } : {}),
        Instances: {
          InstanceGroups: [{ Name: "Primary", Market: "ON_DEMAND", InstanceRole: "MASTER", InstanceType: "m5.xlarge", InstanceCount: 1 }],
          // The cluster ends when its steps are done, so the role needs no emr:TerminateJobFlows.
          KeepJobFlowAliveWhenNoSteps: false,
          TerminationProtected: false,
        },
      };
      tasks.push({
        id: create,
        imports: [`${AIRFLOW_PROVIDER}.operators.emr:EmrCreateJobFlowOperator`],
        code: dag.operator(create, "EmrCreateJobFlowOperator", [`job_flow_overrides=${py(overrides)}`]),
      });
    }
    if (use.access.includes("steps")) {
      const id = dag.taskId(`emr_add_steps_${use.accountName}`);
      const cluster = r("cluster");
      // Tasks that depend on another take its output (the steps go to the new cluster), which orders them.
      const jobFlow = cluster && cluster !== "*" ? py(cluster) : create ? `${create}.output` : py("j-EXAMPLE");
      const steps = [
        {
          Name: "example",
          ActionOnFailure: "CONTINUE",
          HadoopJarStep: { Jar: "command-runner.jar", Args: ["spark-example", "SparkPi", "10"] },
        },
      ];
      tasks.push({
        id,
        imports: [`${AIRFLOW_PROVIDER}.operators.emr:EmrAddStepsOperator`],
        code: dag.operator(id, "EmrAddStepsOperator", [`job_flow_id=${jobFlow}`, `steps=${py(steps)}`]),
      });
    }
    return tasks;
  },
};
