// A run folder made by `pomdp train`, as the page gets it: files chosen with <input webkitdirectory>
// or dropped (a folder or its files). Picks config.json, summary.json and metrics.jsonl (or
// metrics.jsonl.gz, gunzipped with the browser's DecompressionStream) and reads them.
import type { MetricLine } from "./protocol";

/** A file and its path inside the dropped or chosen folder ("run/final/weights.bin"). */
export interface FolderFile {
  path: string;
  file: File;
}

/** What the page shows of a run. */
export interface RunFolderContents {
  /** The folder's name (the top of the paths). */
  name: string;
  config: Record<string, unknown>;
  summary?: Record<string, unknown>;
  metrics: MetricLine[];
  /** Every file by its path under the run folder ("config.json", "final/weights.bin", …). */
  files: Map<string, File>;
}

/** The files under each path's top folder when all share one (a chosen folder), else as they are. */
function underRunFolder(files: readonly FolderFile[]): { name: string; files: Map<string, File> } {
  const tops = new Set(files.map((f) => (f.path.includes("/") ? f.path.split("/")[0] : "")));
  const [top] = tops;
  const strip = tops.size === 1 && top !== "" && !files.some((f) => f.path === "config.json");
  const byPath = new Map<string, File>();
  for (const f of files) byPath.set(strip ? f.path.slice(top!.length + 1) : f.path, f.file);
  return { name: strip ? top! : "(files)", files: byPath };
}

async function readJson(file: File, what: string): Promise<Record<string, unknown>> {
  try {
    const parsed = JSON.parse(await file.text()) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new Error("not an object");
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${what}: not a JSON object (${(err as Error).message})`);
  }
}

async function readText(file: File, gzipped: boolean): Promise<string> {
  if (!gzipped) return file.text();
  const stream = file.stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

/** Parses metrics.jsonl's lines; a bad line is an error naming its number. */
export function parseMetrics(text: string, what: string): MetricLine[] {
  const lines: MetricLine[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      throw new Error(`${what} line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    const m = parsed as Partial<MetricLine>;
    if (m === null || typeof m !== "object" || typeof m.type !== "string" || typeof m.step !== "number") {
      throw new Error(
        `${what} line ${i + 1}: expected an object with a type and a step, got ${line.slice(0, 80)}`,
      );
    }
    lines.push(m as MetricLine);
  });
  return lines;
}

/** Reads a run folder's files; one without config.json, or without metrics, is an error saying so. */
export async function readRunFolder(files: readonly FolderFile[]): Promise<RunFolderContents> {
  if (files.length === 0)
    throw new Error("open a run: no files (choose or drop the folder `pomdp train --out` wrote)");
  const { name, files: byPath } = underRunFolder(files);
  const configFile = byPath.get("config.json");
  if (!configFile) {
    throw new Error(
      `open a run: ${name} has no config.json at its top (got ${[...byPath.keys()].slice(0, 6).join(", ")}${byPath.size > 6 ? ", …" : ""}); choose the folder \`pomdp train --out\` wrote`,
    );
  }
  const config = await readJson(configFile, `${name}/config.json`);
  const summaryFile = byPath.get("summary.json");
  const summary = summaryFile ? await readJson(summaryFile, `${name}/summary.json`) : undefined;
  const plain = byPath.get("metrics.jsonl");
  const gz = byPath.get("metrics.jsonl.gz");
  const metricsFile = plain ?? gz;
  if (!metricsFile) throw new Error(`open a run: ${name} has no metrics.jsonl or metrics.jsonl.gz`);
  const metricsName = `${name}/${plain ? "metrics.jsonl" : "metrics.jsonl.gz"}`;
  const metrics = parseMetrics(await readText(metricsFile, !plain), metricsName);
  return { name, config, summary, metrics, files: byPath };
}

/** The files of a drop: folders are walked (their files' paths start with the folder's name). */
export async function droppedFiles(transfer: DataTransfer): Promise<FolderFile[]> {
  const entries = [...transfer.items]
    .map((item) => item.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return [...transfer.files].map((file) => ({ path: file.name, file }));
  const out: FolderFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) =>
        (entry as FileSystemFileEntry).file(resolve, reject),
      );
      out.push({ path: `${prefix}${entry.name}`, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
          reader.readEntries(resolve, reject),
        );
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, "");
  return out;
}

/** The files of an <input type=file webkitdirectory multiple> (paths from webkitRelativePath). */
export function chosenFiles(list: FileList): FolderFile[] {
  return [...list].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}
