import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { environmentFacts, gitCommit } from "../../src/train/run_folder";

const A = "a".repeat(40);
const B = "b".repeat(40);

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe("gitCommit: the code version a run records", () => {
  it("reads a branch ref, a packed ref, a detached HEAD and a worktree's pointer; undefined elsewhere", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "git-commit-"));
    try {
      const repo = path.join(root, "repo");
      write(path.join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
      write(path.join(repo, ".git", "refs", "heads", "main"), `${A}\n`);
      expect(gitCommit(repo)).toBe(A);
      // Packed: the loose ref is gone.
      fs.rmSync(path.join(repo, ".git", "refs", "heads", "main"));
      write(path.join(repo, ".git", "packed-refs"), `# pack-refs with: peeled\n${B} refs/heads/main\n`);
      expect(gitCommit(repo)).toBe(B);
      // A worktree: .git is a file pointing at .git/worktrees/wt, whose refs are the main repository's.
      const wt = path.join(root, "wt");
      write(path.join(wt, ".git"), `gitdir: ${path.join(repo, ".git", "worktrees", "wt")}\n`);
      write(path.join(repo, ".git", "worktrees", "wt", "HEAD"), "ref: refs/heads/dev\n");
      write(path.join(repo, ".git", "worktrees", "wt", "commondir"), "../..\n");
      write(path.join(repo, ".git", "refs", "heads", "dev"), `${A}\n`);
      expect(gitCommit(wt)).toBe(A);
      // Detached.
      write(path.join(repo, ".git", "worktrees", "wt", "HEAD"), `${B}\n`);
      expect(gitCommit(wt)).toBe(B);
      expect(gitCommit(path.join(root, "nothing-here"))).toBeUndefined();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("config.json's versions carry the checkout's commit when there is one", () => {
    const facts = environmentFacts("cpu") as { versions: Record<string, string> };
    const commit = gitCommit(path.join(__dirname, "..", ".."));
    expect(facts.versions["pomdp-workbench commit"]).toBe(commit);
    if (commit !== undefined) expect(commit).toMatch(/^[0-9a-f]{40}$/);
  });
});
