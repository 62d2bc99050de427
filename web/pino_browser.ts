// What the browser bundle has for `pino` (src/web/build.ts aliases it here): the library's loggers
// (src/nn/log.ts; run folders, which the page has none of) call `pino(options, destination)` and
// `pino.destination(fd)`, which pino's own browser build lacks. Lines at or above the logger's level go
// to the console (warn and error as such), with their fields.

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
type Level = keyof typeof LEVELS;

interface Options {
  name?: string;
  level?: string;
}

type LogFn = (fieldsOrMessage?: unknown, message?: string) => void;

interface BrowserLogger {
  level: string;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: object, options?: Options): BrowserLogger;
  flush(): void;
}

function levelValue(level: string | undefined): number {
  return LEVELS[(level ?? "info") as Level] ?? LEVELS.info;
}

function makeLogger(options: Options, bindings: object): BrowserLogger {
  const threshold = levelValue(options.level);
  const write = (level: Level): LogFn => {
    if (LEVELS[level] < threshold) return () => {};
    const out =
      level === "warn" ? console.warn : level === "error" || level === "fatal" ? console.error : console.log;
    return (fieldsOrMessage, message) => {
      const prefix = options.name ? `[${options.name}] ` : "";
      if (typeof fieldsOrMessage === "string") out(`${prefix}${fieldsOrMessage}`, bindings);
      else out(`${prefix}${message ?? ""}`, { ...bindings, ...(fieldsOrMessage as object) });
    };
  };
  return {
    level: options.level ?? "info",
    trace: write("trace"),
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    fatal: write("fatal"),
    child: (more, childOptions) => makeLogger({ ...options, ...childOptions }, { ...bindings, ...more }),
    flush: () => {},
  };
}

function pino(options: Options = {}, _destination?: unknown): BrowserLogger {
  return makeLogger(options, {});
}
/** The browser has no file descriptors: the console is the destination. */
pino.destination = (_where?: unknown) => undefined;

export default pino;
