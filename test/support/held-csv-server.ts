import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldCsvServer {
  /** Where a `url` source reads the CSV. */
  url: string;
  /** How many requests it has answered (or is answering). */
  requests(): number;
  /** The next request sends the first half of the rows, then waits until the returned function is called. */
  holdNext(): () => void;
  close(): Promise<void>;
}

/** An HTTP server of one CSV whose next answer a test can stop halfway: an ingest caught mid-COPY, whatever the machine's speed. */
export async function startHeldCsvServer(csv: string): Promise<HeldCsvServer> {
  let hold: Promise<void> | undefined;
  let requests = 0;
  const serve = async (response: ServerResponse) => {
    requests += 1;
    const held = hold;
    hold = undefined;
    response.writeHead(200, { 'content-type': 'text/csv' });
    if (!held) return void response.end(csv);
    const half = csv.indexOf('\n', csv.length / 2) + 1;
    response.write(csv.slice(0, half));
    await held;
    response.end(csv.slice(half));
  };
  const server = createServer((_request, response) => void serve(response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.csv`,
    requests: () => requests,
    holdNext: () => {
      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      return release;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
