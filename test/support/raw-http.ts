// An HTTP request written by hand on a socket, for what fetch cannot send: headers announcing a body
// that never comes. Resolves with everything the server sent until it closed (or `timeoutMs` passed).
import { connect } from 'node:net';

export function rawExchange(url: string, head: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let got = '';
    socket.on('data', (chunk) => (got += chunk.toString('latin1')));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    socket.setTimeout(timeoutMs, () => (socket.destroy(), resolve(got)));
    socket.write(head);
  });
}
