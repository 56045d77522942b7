import type { TaskState, WorldState } from '../state/world';
import { applyClean } from './clean';

/**
 * The clean tasks still running. A task lands (its clean applied, its state final) at its `landsAt` time: on the
 * next look at the world (`land`), or by a timer when no request comes to look.
 */
export class CleanTasks {
  private readonly pending = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** `onDue` looks at the world when a task's time has come (the owner calls `land` from it). */
  constructor(private readonly onDue: () => void) {}

  /** Follows a task that is running in the world; a task restored from a state file keeps its original time. */
  track(task: TaskState, now: number): void {
    this.pending.add(task.id);
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.onDue();
      },
      Math.max(0, task.landsAt - now) + 1,
    );
    timer.unref();
    this.timers.add(timer);
  }

  /** Lands every task whose time has come. Cheap when nothing is pending; returns whether the world changed. */
  land(world: WorldState, now: number): boolean {
    if (this.pending.size === 0) return false;
    let changed = false;
    for (const id of this.pending) {
      const task = world.tasks.get(id);
      if (!task) {
        this.pending.delete(id);
        continue;
      }
      if (task.landsAt > now) continue;
      if (task.failure) {
        task.state = task.failure.state;
      } else {
        applyClean(world, task.uid, task.clusterIds, task.allClusters, task.landsAt);
        task.state = 'success';
      }
      task.updated = task.landsAt;
      this.pending.delete(id);
      changed = true;
    }
    return changed;
  }

  /** Stops the timers; pending tasks still land on the next look. */
  stopTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Forgets every task (the world they were in is gone). */
  clear(): void {
    this.stopTimers();
    this.pending.clear();
  }
}
