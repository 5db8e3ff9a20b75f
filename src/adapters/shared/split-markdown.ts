/** Splits Markdown into chunks that fit a platform's size limit without ever leaving a code block open. */

const FENCE = /^\s*```/;
const CLOSE = '```';

/**
 * Splits `text` into chunks of at most `limit` characters. Breaks fall on line ends where possible; a
 * break inside a fenced code block closes the fence and reopens it (same language) in the next chunk.
 * @example splitMarkdown('```js\na()\nb()\n```', 14) // ['```js\na()\n```', '```js\nb()\n```']
 */
export function splitMarkdown(text: string, limit: number): string[] {
  if (limit < 32) throw new RangeError('splitMarkdown: limit must be at least 32 characters');
  if (text.length <= limit) return text.trim() === '' ? [] : [text];
  const chunks: string[] = [];
  let lines: string[] = [];
  let size = 0; // length of lines.join('\n')
  // The opening fence line while inside a code block (capped so a reopened fence leaves room for code).
  let openFence: string | undefined;

  const sep = () => (lines.length > 0 ? 1 : 0);
  const reserve = () => (openFence === undefined ? 0 : CLOSE.length + 1);
  const fits = (line: string) => size + sep() + line.length + reserve() <= limit;
  const push = (line: string) => {
    if (lines.length === 0 && openFence === undefined && line.trim() === '') return; // no leading blank lines
    size += sep() + line.length;
    lines.push(line);
  };
  const emit = () => {
    while (lines.length > 0 && lines[lines.length - 1]?.trim() === '' && openFence === undefined) lines.pop();
    if (lines.length > 0)
      chunks.push(openFence === undefined ? lines.join('\n') : `${lines.join('\n')}\n${CLOSE}`);
    lines = [];
    size = 0;
  };
  /** Ends the current chunk; inside a code block the next chunk reopens the fence. */
  const flush = () => {
    emit();
    if (openFence !== undefined) push(openFence);
  };
  const hasContent = () => lines.length > (openFence === undefined ? 0 : 1);

  for (const line of text.split('\n')) {
    if (FENCE.test(line) && openFence !== undefined) {
      // A closing fence: the room reserved for it is always there, so closing here never overflows.
      if (size + sep() + line.length <= limit) {
        push(line);
        openFence = undefined;
      } else {
        emit();
        openFence = undefined;
      }
      continue;
    }
    if (FENCE.test(line)) {
      const fence = line.slice(0, 24);
      // Room for the fence, one line of code and the closing fence; otherwise start a new chunk.
      if (hasContent() && size + sep() + fence.length + 2 * (CLOSE.length + 1) > limit) flush();
      push(fence);
      openFence = fence;
      continue;
    }
    let rest = line;
    while (!fits(rest)) {
      if (hasContent()) {
        flush();
        continue;
      }
      const room = limit - size - sep() - reserve();
      const cut = breakPoint(rest, room);
      push(rest.slice(0, cut));
      rest = rest.slice(cut);
      flush();
    }
    push(rest);
  }
  // An unterminated fence in the input is closed, so the last chunk renders as code, not raw backticks.
  emit();
  return chunks;
}

/** Where to cut a line that is too long: just after the last space within `room`, else exactly at `room`. */
function breakPoint(line: string, room: number): number {
  const space = line.lastIndexOf(' ', room - 1);
  return space > room / 2 ? space + 1 : room;
}

/** Cuts `text` to at most `limit` characters, ending with an ellipsis when it was cut. */
export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, Math.max(0, limit - 1))}…`;
}
