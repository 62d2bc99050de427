// The `pomdp` command line. Each subcommand lives in src/cli/<name>.ts and is registered below.
import { Command, CommanderError } from "commander";
import { benchCommand } from "./cli/bench";
import { checkCommand, envsCommand } from "./cli/envs";
import { evalCommand } from "./cli/eval";
import { experimentCommand } from "./cli/experiment";
import { playCommand } from "./cli/play";
import { pretrainAeCommand } from "./cli/pretrain_ae";
import { recordCommand } from "./cli/record";
import { renderCommand } from "./cli/render";
import { reportCommand } from "./cli/report";
import { rolloutCommand } from "./cli/rollout";
import { trainCommand } from "./cli/train";

/** Builds the program with every subcommand. */
export function buildProgram(): Command {
  const program = new Command("pomdp")
    .description("pomdp-workbench: deep RL on partially observable problems, from the terminal")
    .showHelpAfterError("(run `pomdp --help` for the list of commands)")
    .exitOverride();
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
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
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
