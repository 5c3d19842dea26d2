/**
 * Runs a command's script in a fresh Deno process, as a user would, for the commands' tests.
 *
 * @module
 */

/**
 * Runs `deno run -A <script> …args` and collects its exit code and output.
 *
 * @param script the command's module URL (e.g. `new URL("./invert.ts", import.meta.url)`)
 * @param args its arguments
 * @returns exit code, stdout and stderr (decoded, no colours)
 */
export async function runCli(
  script: URL,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script.pathname, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}
