/** Renders a core Reply as terminal text, with every button turned into a numbered option. */
import type { Reply } from '../../core/types.ts';

/** What typing an option's number does. */
export type ConsoleAction = { kind: 'choice'; value: string } | { kind: 'feedback'; vote: 'up' | 'down' };

const ansi = (on: boolean) => ({
  bold: (s: string) => (on ? `\x1b[1m${s}\x1b[22m` : s),
  dim: (s: string) => (on ? `\x1b[2m${s}\x1b[22m` : s),
  cyan: (s: string) => (on ? `\x1b[36m${s}\x1b[39m` : s),
});

/** Terminal text for the core's Markdown subset: **bold**, `code` and "- " bullets. */
export function markdownToTerminal(text: string, color: boolean): string {
  const c = ansi(color);
  return text
    .replace(/\*\*(.+?)\*\*/g, (_m, s: string) => c.bold(s))
    .replace(/`([^`\n]+)`/g, (_m, s: string) => c.cyan(color ? s : `\`${s}\``))
    .replace(/^(\s*)- /gm, '$1  • ');
}

/**
 * The reply as terminal text plus the numbered options it offers (choices first, then the related topics,
 * then 👍/👎).
 * @example renderConsoleReply(reply, false).text // 'PyTorch is…\n  Source: Ecosystem (fw-eco)'
 */
export function renderConsoleReply(reply: Reply, color: boolean): { text: string; actions: ConsoleAction[] } {
  const c = ansi(color);
  const lines: string[] = [];
  for (const part of reply.parts) {
    if (lines.length > 0) lines.push('');
    if (part.type === 'text') lines.push(markdownToTerminal(part.text, color));
    else {
      lines.push(c.dim(`  ┌ ${part.language || 'code'}`));
      for (const line of part.code.split('\n')) lines.push(`  │ ${c.cyan(line)}`);
      lines.push(c.dim('  └'));
    }
  }
  if (reply.sources.length > 0)
    lines.push(c.dim(`  Source: ${reply.sources.map((s) => `${s.section} (${s.id})`).join(', ')}`));
  const actions: ConsoleAction[] = [];
  if (reply.choices.length > 0) {
    lines.push('');
    for (const choice of reply.choices) {
      actions.push({ kind: 'choice', value: choice.value });
      lines.push(`  ${c.bold(String(actions.length))}) ${choice.label}`);
    }
  }
  const followups = reply.followups ?? [];
  if (followups.length > 0) {
    lines.push('', c.dim('Related topics:'));
    for (const choice of followups) {
      actions.push({ kind: 'choice', value: choice.value });
      lines.push(`  ${c.bold(String(actions.length))}) ${choice.label}`);
    }
  }
  if (reply.feedback) {
    actions.push({ kind: 'feedback', vote: 'up' }, { kind: 'feedback', vote: 'down' });
    const up = actions.length - 1;
    lines.push('', `Was this helpful?  ${c.bold(String(up))}) 👍   ${c.bold(String(up + 1))}) 👎`);
  }
  if (actions.length > 0) lines.push(c.dim('(type a number to pick an option)'));
  return { text: lines.join('\n'), actions };
}
