/**
 * A token bucket per connection: `perWindow` messages per `windowMs`, refilled continuously;
 * counts the messages dropped in a row since the last one let through.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  /** Messages refused since the last one accepted. */
  droppedInARow = 0;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    now: number = performance.now(),
  ) {
    this.tokens = perWindow;
    this.refilledAt = now;
  }

  /** Takes a token when there is one. */
  take(now: number = performance.now()): boolean {
    this.tokens = Math.min(this.perWindow, this.tokens + ((now - this.refilledAt) * this.perWindow) / this.windowMs);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.droppedInARow = 0;
      return true;
    }
    this.droppedInARow++;
    return false;
  }
}
