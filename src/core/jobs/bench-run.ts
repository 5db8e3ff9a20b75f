/** A benchmark run requested from a chat: what the persistent queue stores. */

/** Lifecycle of a chat-requested run. */
export type BenchRunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** Who asked, in platform-qualified ids (`slack:U123`, `discord:456`). */
export interface BenchRequester {
  userId: string;
  /** Discord role ids (platform-qualified); empty on Slack. */
  roles: string[];
  channelId: string;
}

/** One queued, running or finished run. */
export interface BenchRun {
  id: string;
  status: BenchRunStatus;
  requester: BenchRequester;
  request: { workloads?: string[]; engines?: string[]; device?: 'auto' | 'cpu' | 'cuda' };
  /** Where to report: the platform name and adapter-owned data (channel, thread, status message id). */
  target: { platform: string; data: Record<string, string> };
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Last progress line, e.g. "mlp · PyTorch · fp32 (3 of 8)". */
  progress?: string;
  resultId?: string;
  reason?: string;
  cancelledBy?: string;
  /** The worker that ran it (`gpu-1/cuda`), in the distributed queue; absent for the embedded one. */
  host?: string;
}
