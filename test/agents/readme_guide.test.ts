// agents/README.md's reading guide links CleanRL's sections to file:line; each link's title is the
// text that line holds, so a link left behind by an edit fails here with the line it should name.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const AGENTS = path.join(__dirname, "..", "..", "agents");
const README = fs.readFileSync(path.join(AGENTS, "README.md"), "utf8");
const GUIDE = README.slice(README.indexOf("## Reading guide"));
const LINK = /\[`([^`]+):(\d+)`\]\(([^#\s]+)#L(\d+) "([^"]+)"\)/g;

describe("agents/README.md reading guide", () => {
  const links = [...GUIDE.matchAll(LINK)].map(([, label, labelLine, file, line, title]) => ({
    label,
    labelLine: Number(labelLine),
    file,
    line: Number(line),
    title,
  }));

  it("has links for PPO, recurrent PPO and DQN", () => {
    expect(GUIDE).toContain("### PPO (CleanRL `ppo.py`)");
    expect(GUIDE).toContain("### Recurrent PPO (CleanRL `ppo_atari_lstm.py`)");
    expect(GUIDE).toContain("### DQN / Double DQN / DRQN (CleanRL `dqn.py`)");
    expect(links.length).toBeGreaterThanOrEqual(25);
  });

  it("every link points at the line that holds its title", () => {
    const wrong: string[] = [];
    for (const link of links) {
      const lines = fs.readFileSync(path.join(AGENTS, link.file), "utf8").split("\n");
      const actual = lines.findIndex((l) => l.includes(link.title)) + 1;
      if (
        link.label !== link.file ||
        link.labelLine !== link.line ||
        !lines[link.line - 1]?.includes(link.title)
      )
        wrong.push(`${link.file}:${link.line} should be ${link.file}:${actual} ("${link.title}")`);
    }
    expect(wrong).toEqual([]);
  });
});
