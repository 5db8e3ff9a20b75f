/** Placeholder until the benchmark module lands (issue 3). */
export async function run(_args: string[]): Promise<number> {
  console.error('tensorduel doctor: not available in this build yet.');
  return 1;
}
