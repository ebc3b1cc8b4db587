import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  /** Includes a secret-looking token path, so tests can check it never leaks. */
  url: string;
  token: string;
  received: { path: string; body: unknown }[];
  close: () => Promise<void>;
}

/** A Slack-like incoming webhook on loopback that records every POST. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const token = `T0SECRET${Date.now()}`;
  const received: WebhookReceiver['received'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body || 'null') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/${token}`,
    token,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
