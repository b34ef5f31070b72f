/**
 * What xacct asks of a file it is handed (an input path, a cache entry, a directory to write to),
 * asked so that it cannot change where Node later loads modules from.
 *
 * Node's `fs.realpathSync`, which `import` and `require` use to find a module's real path, reads
 * the mode of the last stat made without `bigint` to skip work: after a FIFO or a socket was
 * statted, it stops following symbolic links (nodejs/node#51142, open; seen here in Node 20 and
 * 22, not in 24.21). Under a node_modules reached through a link (pnpm, `npm link`), a module imported afterwards
 * then loads from the link's path: a second copy of the AWS SDK, whose STSClient was undefined, or
 * a package whose dependencies are not found. A FIFO is easy to hand xacct (`--batch <(…)`, or one
 * placed where a cache entry was), so every stat here is made with `bigint`, which Node writes
 * elsewhere.
 */
import type { BigIntStats } from "node:fs";
import { fstatSync, lstatSync, statSync } from "./node-fs.js";

/** A file's kind, owner, mode and size. */
export interface FileStat {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  mode: number;
  uid: number;
  size: number;
}

function fileStat(stat: BigIntStats): FileStat {
  return {
    isFile: () => stat.isFile(),
    isDirectory: () => stat.isDirectory(),
    isSymbolicLink: () => stat.isSymbolicLink(),
    isFIFO: () => stat.isFIFO(),
    isSocket: () => stat.isSocket(),
    mode: Number(stat.mode),
    uid: Number(stat.uid),
    size: Number(stat.size),
  };
}

/** The file at `path`, a symbolic link itself and not what it names. Throws Node's error (ENOENT…). */
export const lstatOf = (path: string): FileStat => fileStat(lstatSync(path, { bigint: true }));

/** The file at `path`, following symbolic links. Throws Node's error (ENOENT…). */
export const statOf = (path: string): FileStat => fileStat(statSync(path, { bigint: true }));

/** The file open at `fd`. */
export const fstatOf = (fd: number): FileStat => fileStat(fstatSync(fd, { bigint: true }));
