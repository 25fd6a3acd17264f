// A run's state is rewritten as Codex reports progress: at most every PUBLISH_EVERY_MS, never two writes at
// once, and always the newest state last.
const PUBLISH_EVERY_MS = 100;

export class Publisher {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly write: () => Promise<void>) {}

  soon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.now();
    }, PUBLISH_EVERY_MS);
  }

  now(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(this.write).catch(() => undefined);
    return this.writing;
  }
}
