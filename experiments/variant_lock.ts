/**
 * One writer per variant on a shared filesystem: before a process trains or evaluates a variant it takes the
 * variant's lock, a small JSON file naming its owner (host, process id, Slurm job id, time). The file is created
 * atomically (written under a unique name, then hard-linked to the lock's name, which fails when the lock exists,
 * also on NFS), so two tasks never both own a variant.
 *
 * A lock whose owner is gone is stale and taken over: the owner's Slurm job is no longer queued or running
 * (squeue, when the owner ran under Slurm and squeue answers), or, on the same host, its process is dead, or,
 * on another host that Slurm cannot vouch for, the lock was not refreshed ({@linkcode VariantLock.refresh}) for
 * `maxAgeMs`. A takeover renames the stale file away first, so that of two processes that judged it stale only
 * one proceeds.
 *
 * @module
 */

import { slurmJobId } from "./progress.ts";

/** Who holds a lock. */
export interface LockOwner {
  /** Host name of the owner. */
  host: string;
  /** Process id of the owner (on its host). */
  pid: number;
  /** The owner's Slurm job id (`<array job>_<task>` for an array task), when under Slurm. */
  jobId?: string;
  /** When the lock was taken (ISO 8601). */
  createdAt: string;
}

/** How staleness is judged. */
export interface LockOptions {
  /**
   * Whether a Slurm job is still queued or running: true, false, or null when it cannot be told (no squeue).
   * Default: experiments/slurm/queue.ts `isJobActive`.
   */
  isJobActive?: (jobId: string) => Promise<boolean | null>;
  /** A lock of another host that neither Slurm nor a live process vouches for is stale after this long without a refresh (default 1 h). */
  maxAgeMs?: number;
}

/** The variant is locked by a live owner. */
export class VariantLockedError extends Error {
  /** The owner holding the lock. */
  readonly owner: LockOwner;
  /**
   * @param path the lock file
   * @param owner its owner
   */
  constructor(path: string, owner: LockOwner) {
    super(`${path} is held by ${describeOwner(owner)}`);
    this.name = "VariantLockedError";
    this.owner = owner;
  }
}

/**
 * A lock owner in words: `pid 12 on node1 (Slurm job 41_2)`.
 *
 * @param owner the owner
 * @returns the description
 * @example
 * ```ts
 * import { describeOwner } from "./variant_lock.ts";
 * console.log(describeOwner({ host: "n1", pid: 12, jobId: "41_2", createdAt: "" })); // "pid 12 on n1 (Slurm job 41_2)"
 * ```
 */
export function describeOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.host}${owner.jobId ? ` (Slurm job ${owner.jobId})` : ""}`;
}

/**
 * Whether a process of this host is alive (Linux: `/proc/<pid>`; elsewhere `kill -0`).
 *
 * @param pid process id
 * @returns whether it runs
 * @example
 * ```ts
 * import { processAlive } from "./variant_lock.ts";
 * console.log(processAlive(Deno.pid)); // true
 * ```
 */
export function processAlive(pid: number): boolean {
  if (Deno.build.os === "linux") {
    try {
      Deno.statSync(`/proc/${pid}`);
      return true;
    } catch {
      return false;
    }
  }
  try {
    return new Deno.Command("kill", { args: ["-0", String(pid)], stderr: "null" }).outputSync().success;
  } catch {
    return true; // cannot tell: assume alive
  }
}

async function defaultIsJobActive(jobId: string): Promise<boolean | null> {
  const { isJobActive } = await import("./slurm/queue.ts");
  return isJobActive(jobId);
}

/**
 * Why a lock is stale, or null when its owner may still be alive.
 *
 * @param owner the lock's owner
 * @param modifiedMs when the lock file was last refreshed (ms since the epoch)
 * @param options how to ask Slurm, the age limit
 * @returns the reason, or null
 * @example
 * ```ts
 * import { staleReason } from "./variant_lock.ts";
 * const owner = { host: Deno.hostname(), pid: 2 ** 22 + 7, createdAt: "" };
 * console.log(await staleReason(owner, Date.now())); // "pid 4194311 on this host is not running"
 * ```
 */
export async function staleReason(
  owner: LockOwner,
  modifiedMs: number,
  options: LockOptions = {},
): Promise<string | null> {
  if (owner.jobId) {
    const active = await (options.isJobActive ?? defaultIsJobActive)(owner.jobId);
    if (active === false) return `Slurm job ${owner.jobId} is no longer queued or running`;
    if (active === true && owner.host !== Deno.hostname()) return null;
  }
  if (owner.host === Deno.hostname()) {
    if (owner.pid === Deno.pid) return null;
    return processAlive(owner.pid) ? null : `pid ${owner.pid} on this host is not running`;
  }
  const age = Date.now() - modifiedMs;
  const maxAge = options.maxAgeMs ?? 3_600_000;
  return age > maxAge ? `not refreshed for ${Math.round(age / 1000)} s (limit ${maxAge / 1000} s)` : null;
}

/**
 * Reads a lock file's owner; null when there is no lock (or an unreadable one is absent by the time).
 *
 * @param path the lock file
 * @returns the owner and the file's modification time, or null
 * @throws {SyntaxError} naming the file when it is not a lock
 * @example
 * ```ts
 * import { readLock } from "./variant_lock.ts";
 * console.log(await readLock(`${await Deno.makeTempDir()}/owner.lock`)); // null
 * ```
 */
export async function readLock(path: string): Promise<{ owner: LockOwner; modifiedMs: number } | null> {
  let text: string, stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  let owner: LockOwner;
  try {
    owner = JSON.parse(text);
  } catch {
    throw new SyntaxError(`${path} is not a lock file (not JSON)`);
  }
  if (typeof owner?.host !== "string" || typeof owner?.pid !== "number") {
    throw new SyntaxError(`${path} is not a lock file (no host and pid)`);
  }
  return { owner, modifiedMs: stat.mtime?.getTime() ?? Date.now() };
}

/** A held lock. */
export class VariantLock {
  /** The lock file. */
  readonly path: string;
  /** This process, as written in the file. */
  readonly owner: LockOwner;
  /** Why the lock it replaced was stale, if it replaced one. */
  readonly tookOverBecause: string | null;

  /**
   * @param path the lock file
   * @param owner this process
   * @param tookOverBecause why a previous lock was stale, or null
   */
  constructor(path: string, owner: LockOwner, tookOverBecause: string | null) {
    this.path = path;
    this.owner = owner;
    this.tookOverBecause = tookOverBecause;
  }

  /** Marks the lock as alive (its modification time), for readers on hosts that cannot check the owner. */
  async refresh(): Promise<void> {
    const now = new Date();
    await Deno.utime(this.path, now, now).catch(() => {});
  }

  /** Releases the lock (only if it is still this process's). */
  async release(): Promise<void> {
    const current = await readLock(this.path).catch(() => null);
    if (current && current.owner.pid === this.owner.pid && current.owner.host === this.owner.host) {
      await Deno.remove(this.path).catch(() => {});
    }
  }
}

async function createExclusive(path: string, text: string): Promise<boolean> {
  const temporary = `${path}.${Deno.hostname()}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await Deno.writeTextFile(temporary, text);
  try {
    await Deno.link(temporary, path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  } finally {
    await Deno.remove(temporary).catch(() => {});
  }
}

/**
 * Takes a variant's lock, taking over a stale one.
 *
 * @param path the lock file (its folder is created)
 * @param options how staleness is judged
 * @returns the held lock
 * @throws {VariantLockedError} when a live owner holds it
 * @throws {SyntaxError} when the file at `path` is not a lock
 * @example
 * ```ts
 * import { acquireVariantLock } from "./variant_lock.ts";
 * const lock = await acquireVariantLock(`${await Deno.makeTempDir()}/owner.lock`);
 * console.log(lock.owner.pid === Deno.pid); // true
 * await lock.release();
 * ```
 */
export async function acquireVariantLock(path: string, options: LockOptions = {}): Promise<VariantLock> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")) || "/", { recursive: true });
  const owner: LockOwner = {
    host: Deno.hostname(),
    pid: Deno.pid,
    ...(slurmJobId() ? { jobId: slurmJobId() } : {}),
    createdAt: new Date().toISOString(),
  };
  let tookOverBecause: string | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(path, JSON.stringify(owner) + "\n")) {
      return new VariantLock(path, owner, tookOverBecause);
    }
    const current = await readLock(path);
    if (!current) continue; // released meanwhile
    if (current.owner.host === owner.host && current.owner.pid === owner.pid) {
      return new VariantLock(path, current.owner, null); // this process holds it already
    }
    const reason = await staleReason(current.owner, current.modifiedMs, options);
    if (reason === null) throw new VariantLockedError(path, current.owner);
    // Rename the stale lock away (atomic: of two processes that judged it stale, one gets it), then check that
    // what was renamed is the stale lock and not a fresh one a faster process made meanwhile.
    const aside = `${path}.stale.${Deno.hostname()}.${Deno.pid}`;
    try {
      await Deno.rename(path, aside);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    const renamed = await readLock(aside).catch(() => null);
    if (renamed && JSON.stringify(renamed.owner) !== JSON.stringify(current.owner)) {
      await Deno.link(aside, path).catch(() => {}); // a live lock: put it back
      await Deno.remove(aside).catch(() => {});
      throw new VariantLockedError(path, renamed.owner);
    }
    await Deno.remove(aside).catch(() => {});
    tookOverBecause = reason;
  }
  throw new VariantLockedError(path, (await readLock(path))?.owner ?? owner);
}
