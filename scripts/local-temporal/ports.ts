import { createServer } from 'node:net';
import { TemporalSetupError } from './paths';

/** Resolves when the port can be bound on the host, rejects with a clear message when something holds it. */
export async function assertPortFree(port: number, host: string, what: string): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new TemporalSetupError(
          err.code === 'EADDRINUSE'
            ? `Port ${port} (${what}) on ${host} is already in use. Stop what holds it (\`ss -ltnp 'sport = :${port}'\`), or choose another port with the environment variable for it.`
            : `Cannot bind ${host}:${port} (${what}): ${err.message}`,
        ),
      ),
    );
    server.listen(port, host, () => server.close(() => resolvePromise()));
  });
}

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, host, () => server.close(() => resolvePromise(true)));
  });
}

/**
 * A port that is free now, for a server started a moment later. Chosen below Linux's ephemeral range (32768+): a port
 * the kernel hands out with bind(0) can be taken again by any outgoing connection before our server binds it (seen
 * in CI as "address already in use"); ports below that range are only taken by servers that ask for them.
 */
const portsHandedOut = new Set<number>(); // never the same port twice to one process (gRPC and UI, say)

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (portsHandedOut.has(port) || !(await canBind(port, host))) continue;
    portsHandedOut.add(port);
    return port;
  }
  throw new TemporalSetupError(`No free port found between 20000 and 32000 on ${host}.`);
}
