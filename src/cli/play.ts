// `pomdp play` (its flags are in commands.ts): a gridworld played in the terminal (the session itself,
// keys in and pictures out, is play_session.ts).
import * as readline from "node:readline";
import "../index"; // registers the built-in envs (and those of --require'd files are registered by then)
import { keyNamesFromRaw, PlaySession } from "./play_session";

export {
  keyNamesFromRaw,
  PLAY_KEYS,
  type Playable,
  type PlayDisplayOptions,
  type PlayInput,
  type PlayKey,
  PlaySession,
  wrapText,
} from "./play_session";

/** Plays from lines of key names (several per line allowed, separated by spaces or commas) until q or the end. */
export async function playFromLines(session: PlaySession, lines: AsyncIterable<string>): Promise<void> {
  session.start();
  for await (const line of lines) {
    for (const name of line.split(/[\s,]+/).filter((n) => n.length > 0)) {
      if (!session.press(name)) return;
    }
  }
  session.press("quit");
}

/** Plays from a terminal in raw mode, one key at a time, until q or Ctrl-C. */
function playFromTerminal(session: PlaySession, stdin: NodeJS.ReadStream): Promise<void> {
  return new Promise((resolve) => {
    stdin.setRawMode(true);
    stdin.setEncoding("utf8");
    const onData = (chunk: string) => {
      for (const name of keyNamesFromRaw(chunk)) {
        if (!session.press(name)) {
          stdin.off("data", onData);
          stdin.setRawMode(false);
          stdin.pause();
          resolve();
          return;
        }
      }
    };
    stdin.on("data", onData);
    stdin.resume();
    session.start();
  });
}

/** `pomdp play <id>`: play a gridworld with the keyboard (or from key names piped in, one per line). */
export async function playAction(id: string, opts: { seed: number }): Promise<void> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const terminal = stdout.isTTY === true;
  const session = new PlaySession(id, opts.seed, (text) => stdout.write(text), {
    clearScreen: terminal && stdin.isTTY === true,
    // https://no-color.org: a non-empty NO_COLOR turns colour off.
    color: terminal && !process.env.NO_COLOR,
    width: terminal ? stdout.columns : undefined,
  });
  if (stdin.isTTY) await playFromTerminal(session, stdin);
  else await playFromLines(session, readline.createInterface({ input: stdin, terminal: false }));
}
