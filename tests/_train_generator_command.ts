/**
 * `train-generator` as a child process, for the tests that kill, stop and resume it
 * (cli/train_from_folder_test.ts, cli/trainer_sigterm_test.ts).
 *
 * @module
 */

/**
 * The command `deno run -A cli/train_generator.ts --config <config> --run <run> --steps <steps>`, with piped
 * output and no colours.
 *
 * @param config the config file
 * @param run the run folder
 * @param steps the steps to reach
 * @returns the command (call `.spawn()` or `.output()`)
 * @example
 * ```ts
 * import { trainGeneratorCommand } from "./_train_generator_command.ts";
 * console.log(typeof trainGeneratorCommand("g.json", "run", 2).spawn); // "function"
 * ```
 */
export function trainGeneratorCommand(config: string, run: string, steps: number): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../cli/train_generator.ts", import.meta.url).pathname,
      "--config",
      config,
      "--run",
      run,
      "--steps",
      String(steps),
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
}
