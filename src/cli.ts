// The `pomdp` command line. Each subcommand's flags and help are defined in src/cli/commands.ts,
// which loads nothing heavy; its implementation, src/cli/<name>.ts, loads only when it runs.
import { Command, CommanderError } from "commander";
import {
  benchCommand,
  checkCommand,
  envsCommand,
  evalCommand,
  experimentCommand,
  exportTbCommand,
  playCommand,
  pretrainAeCommand,
  recordCommand,
  renderCommand,
  reportCommand,
  rolloutCommand,
  trainCommand,
  webCommand,
} from "./cli/commands";
import { withOnePrefix } from "./cli/options";

/** Builds the program with every subcommand. */
export function buildProgram(): Command {
  const program = new Command("pomdp")
    .description("pomdp-workbench: deep RL on partially observable problems, from the terminal")
    .showHelpAfterError("(run `pomdp --help` for the list of commands)")
    .exitOverride()
    // Before any command runs (and before its --require modules load, which may build on them): the
    // built-in envs, registered once the flags have parsed.
    .hook("preAction", async () => (await import("../envs")).registerBuiltinEnvs());
  program.addCommand(envsCommand());
  program.addCommand(checkCommand());
  program.addCommand(rolloutCommand());
  program.addCommand(benchCommand());
  program.addCommand(renderCommand());
  program.addCommand(playCommand());
  program.addCommand(trainCommand());
  program.addCommand(pretrainAeCommand());
  program.addCommand(evalCommand());
  program.addCommand(recordCommand());
  program.addCommand(experimentCommand());
  program.addCommand(reportCommand());
  program.addCommand(exportTbCommand());
  program.addCommand(webCommand());
  for (const command of program.commands) command.exitOverride();
  withOnePrefix(program);
  return program;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    // A command that failed without throwing (an experiment some of whose runs failed) set the code.
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander has printed the message
    console.error(`pomdp: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
