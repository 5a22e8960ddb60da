// Incoming webhooks on the Discord emulator, driven by ydeploy's own webhook adapter: the
// emulator records what it accepted (GET /control/webhook-messages) and refuses what Discord
// refuses; the adapter retries one 429 after its retry_after and keeps to its deadline.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordWebhook, maskWebhookUrl, webhookUrlProblem } from '../../../cli/adapters/discord-webhook.js';
import { notificationMessage } from '../../../cli/core/notify/message.js';
import { sandboxWebhook } from '../../../cli/sandbox/layout.js';
import { startEmulator, type DiscordEmulator } from '../../_helpers/discord.js';

let emulator: DiscordEmulator;
let url: string;
let id: string;
const sender = new DiscordWebhook();

const control = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${emulator.controlUrl}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json' },
  });
  return (await res.json()) as any;
};
const recorded = (since = 0) => control(`/webhook-messages?since=${since}`) as Promise<any[]>;

beforeAll(async () => {
  emulator = await startEmulator({ tokens: ['webhook-test-token'] });
  ({ url, id } = await control('/webhooks', { method: 'POST', body: JSON.stringify({ name: 'deploys' }) }));
});
afterAll(() => emulator?.stop());

const facts = {
  phase: 'succeeded' as const,
  command: 'deploy',
  environment: 'sandbox',
  deploymentId: '20261126T101500Z-deploy-3f2a',
  release: 'v2',
  commit: '0123456789ab',
  who: 'alice@laptop',
  identity: 'arn:aws:iam::123456789012:user/alice',
  resumed: false,
  durationMs: 133_000,
  steps: [{ title: 'Build and upload release v2', outcome: 'succeeded', seconds: 4.2 }],
};

describe('Discord emulator: incoming webhooks', () => {
  it('records a notification exactly as sent, and answers ?wait=true with the created message', async () => {
    const since = Date.now();
    const message = notificationMessage(facts);
    const sent = await sender.execute(url, message, { timeoutMs: 2000 });
    expect(sent.attempts).toBe(1);
    const [got] = await recorded(since);
    expect(got.id).toBe(sent.messageId);
    expect(got).toMatchObject({ webhookId: id, content: message.content, username: 'ydeploy', wait: true });
    expect(got.embeds).toEqual(message.embeds);
    expect(got.receivedAt).toBeGreaterThanOrEqual(since);
  });

  it('refuses as Discord does: unknown webhook, wrong token, empty message, an embed over its limits', async () => {
    const other = url.replace(/\/webhooks\/\d+\//, '/webhooks/123456789012345678/');
    await expect(sender.execute(other, { content: 'x' }, { timeoutMs: 2000 })).rejects.toThrow(
      /answered 404 Unknown Webhook \(code 10015\)/,
    );
    await expect(sender.execute(`${url}x`, { content: 'x' }, { timeoutMs: 2000 })).rejects.toThrow(
      /answered 401 Invalid Webhook Token \(code 50027\)/,
    );
    await expect(sender.execute(url, { content: '' }, { timeoutMs: 2000 })).rejects.toThrow(
      /400 Cannot send an empty message/,
    );
    const long = { embeds: [{ title: 'x'.repeat(257) }] };
    await expect(sender.execute(url, long, { timeoutMs: 2000 })).rejects.toThrow(
      /400 Invalid Form Body \(code 50035\)/,
    );
    // No error names the token.
    const error = await sender.execute(other, { content: 'x' }, { timeoutMs: 2000 }).catch((e: Error) => e);
    expect((error as Error).message).not.toContain(url.split('/').pop()!);
  });

  it('a 429 is waited out once (retry_after), then the message goes through', async () => {
    await control(`/webhooks/${id}/rate-limit`, {
      method: 'POST',
      body: JSON.stringify({ times: 1, retryAfterMs: 300 }),
    });
    const since = Date.now();
    const started = performance.now();
    const sent = await sender.execute(url, { content: 'after a rate limit' }, { timeoutMs: 3000 });
    expect(sent.attempts).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    expect((await recorded(since)).map((m) => m.content)).toEqual(['after a rate limit']);
  });

  it('a 429 whose wait does not fit the deadline, or a second 429, fails without waiting', async () => {
    await control(`/webhooks/${id}/rate-limit`, {
      method: 'POST',
      body: JSON.stringify({ times: 1, retryAfterMs: 10_000 }),
    });
    const started = performance.now();
    await expect(sender.execute(url, { content: 'x' }, { timeoutMs: 1000 })).rejects.toThrow(
      /429 .*retry after 10\.0s/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    await control(`/webhooks/${id}/rate-limit`, {
      method: 'POST',
      body: JSON.stringify({ times: 2, retryAfterMs: 50 }),
    });
    await expect(sender.execute(url, { content: 'x' }, { timeoutMs: 2000 })).rejects.toThrow(/answered 429/);
  });

  it('an endpoint that never answers fails at the deadline', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const started = performance.now();
    await expect(
      sender.execute(`http://127.0.0.1:${port}/api/webhooks/1/abc`, { content: 'x' }, { timeoutMs: 300 }),
    ).rejects.toThrow(`cannot reach 127.0.0.1:${port}: no answer within 0.3s`);
    expect(performance.now() - started).toBeLessThan(1500);
    silent.closeAllConnections();
    silent.close();
  });

  it("the sandbox's webhook is the same one on both sides", () => {
    const state = { discordToken: 'abc.sandbox.def', endpoints: { discordApi: 'http://127.0.0.1:29502/api' } };
    const a = sandboxWebhook(state);
    expect(sandboxWebhook(state)).toEqual(a);
    expect(webhookUrlProblem(a.url)).toBeUndefined();
    expect(sandboxWebhook({ ...state, discordToken: 'other' }).token).not.toBe(a.token);
  });
});

describe('webhook URLs', () => {
  it('takes Discord webhook URLs over https (http on loopback only) and masks the token', () => {
    expect(webhookUrlProblem('https://discord.com/api/webhooks/123456789012345678/aBc-_9')).toBeUndefined();
    expect(webhookUrlProblem('https://discord.com/api/v10/webhooks/1/t')).toBeUndefined();
    expect(webhookUrlProblem('http://discord.com/api/webhooks/1/t')).toMatch(/must use https/);
    expect(webhookUrlProblem('https://discord.com/channels/1/2')).toMatch(/must be a webhook URL/);
    expect(webhookUrlProblem('not a url')).toMatch(/must be a URL/);
    expect(maskWebhookUrl('https://discord.com/api/webhooks/123456789012345678/secret')).toBe(
      'https://discord.com/api/webhooks/1234…/****',
    );
  });
});
