/**
 * The parent's side of a measurement: forks a load worker, hands it the spec, samples the memory of the
 * process under test while the measured window runs, and answers the worker's result.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { RssSampler } from '../proc';
import type { LoadResult } from './closed-loop';
import type { LoadSpec, WorkerMessage } from './load-worker';

export interface Measurement extends LoadResult {
  tool: string;
  /** Peak and median RSS of the process under test during the window (MB); for stdio targets, the spawned one. */
  rssPeakMB?: number;
  rssMedianMB?: number;
  /** CPU of the process under test during the window, % of one core (the router or peer alone). */
  cpuPercent?: number;
  /** CPU of its descendants (the backends behind a router or peer), % of one core. */
  backendsCpuPercent?: number;
  /** CPU used on the machine by anything but the target, its backends and the load generator (% of one core). */
  otherCpuPercent?: number;
}

const MB = 1024 * 1024;

/**
 * `pid` is the process whose memory to sample (an HTTP server the caller started); for a stdio endpoint the
 * worker reports the pid it spawned.
 */
export function runLoad(spec: LoadSpec, pid?: number): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const worker = fork(join(__dirname, 'load-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let sampled = pid;
    let sampler: RssSampler | undefined;
    let tool = '';
    let settled = false;
    let outcome: LoadResult | undefined;
    let memory: ReturnType<RssSampler['stop']> | undefined;
    const budget = spec.warmupMs + spec.measureMs + (spec.readyTimeoutMs ?? 30_000) + 30_000;
    const timer = setTimeout(() => finish(new Error(`load worker overran ${budget} ms`)), budget);
    const finish = (error?: Error, result?: LoadResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      memory ??= sampler?.stop();
      if (error) {
        if (worker.exitCode === null) worker.kill('SIGKILL');
        reject(error);
        return;
      }
      resolve({
        ...result!,
        tool,
        rssPeakMB: memory?.peakBytes === undefined ? undefined : memory.peakBytes / MB,
        rssMedianMB: memory?.medianBytes === undefined ? undefined : memory.medianBytes / MB,
        cpuPercent: memory?.cpuPercent,
        backendsCpuPercent: memory?.childrenCpuPercent,
        otherCpuPercent:
          memory?.machineCpuPercent === undefined || memory.cpuPercent === undefined
            ? undefined
            : Math.max(
                0,
                memory.machineCpuPercent -
                  memory.cpuPercent -
                  (memory.childrenCpuPercent ?? 0) -
                  result!.loadgenCpuPercent,
              ),
      });
    };
    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'pid':
          sampled ??= message.pid;
          break;
        case 'ready':
          tool = message.tool;
          break;
        case 'measuring':
          if (sampled !== undefined) {
            sampler = new RssSampler(sampled);
            sampler.start();
          }
          break;
        case 'result':
          // Wait for the worker to close its sessions and leave before answering.
          outcome = message.result;
          memory = sampler?.stop();
          sampler = undefined;
          break;
        case 'error':
          finish(new Error(message.message));
          break;
      }
    });
    worker.on('exit', (code) =>
      outcome ? finish(undefined, outcome) : finish(new Error(`load worker exited (${code}) without a result`)),
    );
    worker.on('error', (error) => finish(error));
    worker.send({ type: 'run', spec });
  });
}
