/**
 * Servers and sockets of tests on loopback, bound so that they cannot hang a test file: always an ephemeral port
 * (port 0: the kernel's choice, never a fixed number, never a number found free and then listened on again), an
 * 'error' path on every listen and bind (a failed listen rejects instead of leaving the test pending), and a
 * close that does not wait on a connection a client left open.
 */
import type dgram from "node:dgram";
import type net from "node:net";

/** Something that listens like net.Server (http, https, net; smtp-server's SMTPServer through its `.server`). */
type Listener = Pick<net.Server, "listen" | "once" | "off" | "address">;

/** Listens on an ephemeral port of `host`; resolves with the port, rejects on the server's 'error'. */
export async function listenLoopback(server: Listener, host = "127.0.0.1"): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

/** Binds a UDP socket to an ephemeral port of `host`; resolves with the port, rejects on the socket's 'error'. */
export async function bindLoopback(socket: dgram.Socket, host = "127.0.0.1"): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, host, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  return socket.address().port;
}

/**
 * Closes a server and ends the connections it still holds (a client's idle keep-alive would delay `close()` for
 * good): http(s) servers end theirs themselves; a net server's are those `trackConnections` saw.
 */
export function closeServer(server: net.Server, connections?: Set<net.Socket>): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    if ("closeAllConnections" in server && typeof server.closeAllConnections === "function")
      server.closeAllConnections();
    for (const socket of connections ?? []) socket.destroy();
  });
}

/** The open connections of a net server, for `closeServer`. */
export function trackConnections(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return sockets;
}
