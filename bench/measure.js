// Timing a benchmark command: shared by bench/run.js and bench/dunning.js.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const TIME = "/usr/bin/time";
/** Where /usr/bin/time writes its figures: bench/out, which the benches create. */
const SCRATCH = fileURLToPath(new URL("out", import.meta.url));

/**
 * Runs a command to completion: wall time (measured here), and peak RSS, user and system CPU
 * of the child from /usr/bin/time (ru_maxrss), or by polling /proc/PID/status VmHWM without it.
 */
export function measure(command, args, { stdin, stdout, env } = {}) {
  const haveTime = existsSync(TIME);
  const timeFile = join(SCRATCH, `.time-${process.pid}`);
  const [cmd, argv] = haveTime
    ? [TIME, ["-f", "%M %U %S", "-o", timeFile, command, ...args]]
    : [command, args];
  const inFd = stdin ? openSync(stdin, "r") : "ignore";
  const outFd = stdout ? openSync(stdout, "w") : "pipe";
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, argv, { stdio: [inFd, outFd, "pipe"], env: env ?? process.env });
    let out = "";
    let err = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    let hwmKb = 0;
    const poll = haveTime
      ? undefined
      : setInterval(() => {
          try {
            const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
            hwmKb = Math.max(hwmKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
          } catch {
            // the process has just exited
          }
        }, 20);
    child.on("error", reject);
    child.on("close", (code) => {
      const wallS = (performance.now() - start) / 1000;
      if (poll) clearInterval(poll);
      if (typeof inFd === "number") closeSync(inFd);
      if (typeof outFd === "number") closeSync(outFd);
      if (code !== 0) {
        rmSync(timeFile, { force: true });
        reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${err}${out}`));
        return;
      }
      let rssKb = hwmKb;
      let userS = null;
      let sysS = null;
      if (haveTime) {
        const fields = readFileSync(timeFile, "utf8").trim().split("\n").pop().split(" ");
        [rssKb, userS, sysS] = fields.map(Number);
        rmSync(timeFile, { force: true });
      }
      resolve({ wallS, rssKb, userS, sysS, stdout: out, stderr: err });
    });
  });
}
