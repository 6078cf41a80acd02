import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built CLI, exactly as `npx overdue` runs it after `npm ci`. */
export const CLI = fileURLToPath(new URL("../../bin/overdue.js", import.meta.url));

export type CliResult = { code: number | null; stdout: string; stderr: string };

export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, OVERDUE_DATABASE_URL: undefined, ...options.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
