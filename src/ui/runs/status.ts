/** The one status of a run on the page, and what a group of runs shows from its members'. */

export type RunStatus =
  'idle' | 'loading' | 'running' | 'paused' | 'done' | 'diverged' | 'cancelled' | 'error';

/** A group's status: the most pressing of its runs', 'finished' once none is active. */
export type GroupStatus =
  Extract<RunStatus, 'idle' | 'loading' | 'running' | 'paused'> | 'finished';

/** Loading, training or paused: the run still holds its worker's attention. */
export function isActive(status: RunStatus): boolean {
  return status === 'loading' || status === 'running' || status === 'paused';
}

/** Ended one way or another (a finished run starts again from step 0). */
export function isFinished(status: RunStatus): boolean {
  return status === 'done' || status === 'diverged' || status === 'cancelled' || status === 'error';
}

export function groupStatus(statuses: readonly RunStatus[]): GroupStatus {
  if (statuses.includes('loading')) return 'loading';
  if (statuses.includes('running')) return 'running';
  if (statuses.includes('paused')) return 'paused';
  if (statuses.every((s) => s === 'idle')) return 'idle';
  return 'finished';
}
