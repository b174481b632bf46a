import { closeSync, fsyncSync, openSync } from "node:fs";

/** fsync a file or a directory by path: after a rename, syncing the directory makes the new name durable. */
export function fsyncPath(path: string) {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
