import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  /** Includes a secret-looking token path, so tests can check it never leaks. */
  url: string;
  token: string;
  /** Every POST, with the status it was answered with. */
  received: { path: string; body: unknown; status: number }[];
  /** The HTTP status it answers with: set 500 or 503 to play a webhook that is down. */
  status: number;
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
      received.push({ path: req.url ?? '', body: JSON.parse(body || 'null'), status: receiver.status });
      res.writeHead(receiver.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/services/${token}`,
    token,
    received,
    status: 200,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return receiver;
}
