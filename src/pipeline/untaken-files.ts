/** A job of files: the paths from `first` up to `end` (not included), in output order. */
export interface FileRange {
  first: number;
  end: number;
}

/**
 * The files no job has taken yet, as ranges in output order, and how many files the next job takes: `most`,
 * fewer once a job ended by bytes (classifyWholeFiles's budget) — as many as it did, the rest of it back here —
 * and twice as many again after each job that used less than half its budget. So a folder of big files is cut
 * into jobs of a few that both processes share, instead of one job's rest coming back a few files at a time.
 */
export class UntakenFiles {
  /** Disjoint, by first file. */
  private readonly ranges: FileRange[];
  private readonly most: number;
  private perJob: number;

  constructor(files: number, most: number) {
    this.ranges = files > 0 ? [{ first: 0, end: files }] : [];
    this.most = most;
    this.perJob = most;
  }

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  /** The first file no job has taken, or -1 when every file is taken. */
  get first(): number {
    return this.ranges.length === 0 ? -1 : this.ranges[0].first;
  }

  /** The next job (the first files not taken); the caller checks `empty` first. */
  take(): FileRange {
    const range = this.ranges[0];
    const end = Math.min(range.end, range.first + this.perJob);
    const job = { first: range.first, end };
    if (end === range.end) this.ranges.shift();
    else range.first = end;
    return job;
  }

  /**
   * Job `job` ended after `done` of its files, `roomy` when it used less than half its budget: the rest are
   * taken again, by jobs of a size that fits.
   */
  finished(job: FileRange, done: number, roomy: boolean): void {
    if (job.first + done >= job.end) {
      if (roomy) this.perJob = Math.min(this.most, 2 * this.perJob);
      return;
    }
    this.perJob = Math.max(1, done);
    this.putBack({ first: job.first + done, end: job.end });
  }

  /** Files taken that no job did after all (its process ended): taken again, in order. */
  putBack(range: FileRange): void {
    let at = 0;
    while (at < this.ranges.length && this.ranges[at].first < range.first) at++;
    this.ranges.splice(at, 0, { ...range });
  }
}
