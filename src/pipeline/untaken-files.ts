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
 * With `first`, the first jobs take that many and grow the same way (twice as many after each roomy job); with
 * `share`, a job takes at most that share of the files left (1/share of them, at least one), so jobs shrink as
 * the files run out (guided self-scheduling) and no process is left with whole jobs to do while the other has none.
 */
export class UntakenFiles {
  /** Disjoint, by first file. */
  private readonly ranges: FileRange[];
  private readonly most: number;
  private readonly share: number;
  private perJob: number;
  /** Files in `ranges`. */
  private left: number;

  constructor(
    files: number,
    most: number,
    { first = most, share = 1 }: { first?: number; share?: number } = {},
  ) {
    this.ranges = files > 0 ? [{ first: 0, end: files }] : [];
    this.most = most;
    this.share = share;
    this.perJob = Math.max(1, Math.min(first, most));
    this.left = Math.max(0, files);
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
    const size = Math.min(this.perJob, Math.ceil(this.left / this.share));
    const end = Math.min(range.end, range.first + size);
    const job = { first: range.first, end };
    this.left -= end - range.first;
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
    this.left += range.end - range.first;
  }
}
