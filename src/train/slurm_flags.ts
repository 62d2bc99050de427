// The checks of `pomdp experiment`'s --slurm-… flags: cheap to load (no imports), for the command
// line's parsers, so that a bad value is refused before anything runs.

/**
 * Splits `--slurm-args` into words as a shell would (whitespace, single and double quotes, backslash);
 * throws on an unbalanced quote.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new Error(`--slurm-args: unbalanced ${quote} in "${text}"`);
  if (inWord) words.push(word);
  return words;
}

/** Checks `--slurm-time`: a Slurm time limit (minutes, m:ss, h:mm:ss, d-h, d-h:mm, d-h:mm:ss). */
export function parseSlurmTime(value: string): string {
  const v = value.trim();
  if (!/^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+(:\d{1,2}){0,2})$/.test(v))
    throw new Error(
      `expected a Slurm time limit such as 4:00:00 (h:mm:ss), 90 (minutes) or 1-12:00:00 (days-h:mm:ss), got "${value}"`,
    );
  return v;
}

/** Checks `--slurm-mem`: a Slurm memory size (a number of megabytes, or with K, M, G or T). */
export function parseSlurmMem(value: string): string {
  const v = value.trim();
  if (!/^\d+[KMGT]?$/i.test(v) || /^0+[KMGT]?$/i.test(v))
    throw new Error(`expected a memory size such as 4G or 4000M (megabytes without a unit), got "${value}"`);
  return v;
}

/** Checks `--slurm-partition`: a partition name, or several separated by commas. */
export function parseSlurmPartition(value: string): string {
  if (!/^[\w.-]+(,[\w.-]+)*$/.test(value))
    throw new Error(`expected a partition name (or several, separated by commas), got "${value}"`);
  return value;
}
