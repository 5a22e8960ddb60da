// The `ydeploy sandbox discord '!roll 6'` screen: who a channel message reached and who replied, what.

/** What the emulator's command probe reports for a message (cli/adapters/discord-emulator.ts). */
export interface MessageAnswerView {
  content: string;
  deliveredTo: string[];
  replies: { by: string; content?: string; latencyMs: number }[];
  answered: boolean;
}

export function renderMessageAnswer(answer: MessageAnswerView): string {
  const delivered = answer.deliveredTo.length ? answer.deliveredTo.join(', ') : 'no bot reading guild messages';
  const lines = [`${JSON.stringify(answer.content)} delivered to ${delivered}`];
  if (!answer.answered) return [...lines, 'no reply'].join('\n');
  if (answer.replies.length > 1) lines.push(`${answer.replies.length} replies (more than one bot answered)`);
  for (const reply of answer.replies) {
    lines.push(`replied by ${reply.by} in ${reply.latencyMs} ms`);
    if (reply.content) lines.push(reply.content);
  }
  return lines.join('\n');
}
