/**
 * The functions of Node's `fs` that the modules every command loads use. Not imported from
 * "node:fs" there: importing a built-in as an ES module builds a facade that reads each of its
 * exports, and reading fs's `promises` and stream classes loads them (about 2 ms of every process
 * start, where issue 16 asks a command to start within 2x of bare node). Modules that a command
 * loads only when it runs may import "node:fs" as usual.
 */
export const {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} = process.getBuiltinModule("node:fs");
