// Follows a file that another process appends lines to (a run's metrics.jsonl), reading only the
// bytes added since the last read: the experiment's progress display polls each running run this way,
// whichever machine runs it, as long as the run folder is visible here.
import * as fs from "node:fs";

/** What one {@link LineTail.read} found. */
export interface TailRead {
  /** The complete lines added since the last read, without their "\n". */
  lines: string[];
  /**
   * The file was replaced or cut shorter since the last read (a run restarted, or resumed from a
   * checkpoint, which truncates metrics.jsonl): `lines` start again from its first byte.
   */
  reset: boolean;
}

/** Reads the lines appended to a file since the previous read; a missing file has none yet. */
export class LineTail {
  private offset = 0;
  /** The file read last (inode and birth time), to see it replaced. */
  private identity: string | undefined;
  /** The bytes after the last "\n": a line still being written. */
  private partial: Buffer = Buffer.alloc(0);

  constructor(readonly file: string) {}

  read(): TailRead {
    let fd: number;
    try {
      fd = fs.openSync(this.file, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        this.identity = "gone"; // whatever appears next is a new file
        return { lines: [], reset: false };
      }
      throw err;
    }
    try {
      const { size, ino, birthtimeMs } = fs.fstatSync(fd);
      const identity = `${ino}:${birthtimeMs}`;
      let reset = false;
      if ((this.identity !== undefined && identity !== this.identity) || size < this.offset) {
        reset = this.offset > 0 || this.partial.length > 0;
        this.offset = 0;
        this.partial = Buffer.alloc(0);
      }
      this.identity = identity;
      if (size === this.offset) return { lines: [], reset };
      const added = Buffer.alloc(size - this.offset);
      let got = 0;
      while (got < added.length) {
        const n = fs.readSync(fd, added, got, added.length - got, this.offset + got);
        if (n === 0) break; // cut shorter while being read: the next read sees it
        got += n;
      }
      this.offset += got;
      // Split bytes, not text, so that a character cut in two by the writer is joined before decoding.
      const bytes = Buffer.concat([this.partial, added.subarray(0, got)]);
      const lines: string[] = [];
      let start = 0;
      for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
        lines.push(bytes.toString("utf8", start, nl));
        start = nl + 1;
      }
      this.partial = Buffer.from(bytes.subarray(start));
      return { lines, reset };
    } finally {
      fs.closeSync(fd);
    }
  }
}
