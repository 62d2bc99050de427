// What the experiment tests share: the flags `pomdp train <args>` would act on, without training.
import { trainCommand } from "../../src/cli/commands";
import type { TrainFlags } from "../../src/cli/train";

/** The flags `pomdp train <args>` would act on (its action replaced, so nothing trains). */
export async function parseTrainFlags(args: string[]): Promise<TrainFlags> {
  let flags: TrainFlags | undefined;
  const command = trainCommand().exitOverride();
  command.action((given: TrainFlags) => {
    flags = given;
  });
  await command.parseAsync(args, { from: "user" });
  return flags!;
}
