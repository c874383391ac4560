/**
 * Takes turns at the event loop: each `turn()` resolves in a later loop iteration than the
 * previous one, one waiter per iteration, so slices of CPU-heavy work (history computed a
 * chunk at a time) from any number of requests never run back to back: timers and sockets
 * (the WebSocket fan-out) get the loop between every two slices.
 */
export class TurnQueue {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  /** `defer` runs a callback in a later loop iteration (setImmediate; tests may pass their own). */
  constructor(private readonly defer: (run: () => void) => void = (run) => void setImmediate(run)) {}

  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      this.waiting.shift()?.();
      this.schedule();
    });
  }
}
