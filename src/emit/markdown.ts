import type { Emitter } from "./types.js";

/** Not written yet: returns no files. */
export const emitMarkdown: Emitter = () => [];
