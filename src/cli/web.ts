// `pomdp web`: builds the browser page (src/web/build.ts) when its folder is missing or older than the
// sources, then serves it on localhost (src/web/serve.ts) until Ctrl-C; `--build-only` (npm run
// build:web) builds and exits.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildWeb, DEFAULT_WEB_DIR, REPO_ROOT, WEB_FILES } from "../web/build";
import { serveStatic } from "../web/serve";

/** Flags of `pomdp web`. */
export interface WebFlags {
  port: number;
  open?: boolean;
  dir?: string;
  build?: boolean;
  buildOnly?: boolean;
}

/** Folders whose files go into the page. */
const SOURCE_DIRS = ["web", "src", "agents", "envs"];

/** Newest modification time (ms) of the files under `dir`, the built folder and node_modules left out. */
function newestMtime(dir: string, skip: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (full === skip || entry.name === "node_modules") continue;
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, skip));
    else if (entry.isFile()) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Why the page in `dir` must be built (again), or null when it is up to date. */
export function staleReason(dir: string): string | null {
  const missing = WEB_FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length > 0) return `${dir} has no ${missing.join(", ")}`;
  const built = Math.min(...WEB_FILES.map((f) => fs.statSync(path.join(dir, f)).mtimeMs));
  const sources = Math.max(
    ...SOURCE_DIRS.map((d) => newestMtime(path.join(REPO_ROOT, d), path.resolve(dir))),
  );
  return sources > built ? "the sources changed since it was built" : null;
}

/** Opens `url` in the desktop's browser (xdg-open, open, start); a failure is a warning. */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  const child = spawn(command, args, { detached: true, stdio: "ignore" });
  child.on("error", (err) =>
    console.error(`pomdp web: --open: ${command} failed (${err.message}); open ${url}`),
  );
  child.unref();
}

/** `pomdp web`. */
export async function webAction(flags: WebFlags): Promise<void> {
  const dir = path.resolve(flags.dir ?? DEFAULT_WEB_DIR);
  const reason = flags.build || flags.buildOnly ? "asked for" : staleReason(dir);
  if (reason !== null) {
    const built = await buildWeb(dir);
    const bytes = Object.values(built.files).reduce((a, b) => a + b, 0);
    console.error(
      `built the page in ${dir} (${reason}): ${Object.keys(built.files).length} files, ${(bytes / 1e6).toFixed(2)} MB, in ${built.seconds.toFixed(1)} s`,
    );
  }
  if (flags.buildOnly) return;
  const server = await serveStatic(dir, flags.port);
  console.log(`serving ${dir} at ${server.url} (Ctrl-C stops)`);
  if (flags.open) openInBrowser(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
