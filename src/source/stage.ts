/**
 * A named step of a long job (loading, the graph, the analysis, writing), run by whoever reports
 * progress on it (src/cli/progress.ts); the library's long jobs take one and call it per step.
 */
export type Stage = <T>(name: string, work: () => T) => T;

/** Runs each step's work and says nothing: the default of every job that takes a Stage. */
export const silently: Stage = (_name, work) => work();
