package dev.tern.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy for tests on 127.0.0.1: forwards each accepted connection to a target port,
 * counting the bytes each side sends and, optionally, holding every chunk for a fixed one-way
 * delay and pacing it to a bandwidth, to stand in for a long or slow link (no tc/netem needed).
 *
 * <p>The proxy reads eagerly and queues without bound, so it never pushes back on a sender: what
 * limits a sender through it is only end-to-end flow control (HTTP/2 windows), which is exactly
 * what the byte counts measure.
 *
 * <p>Thread-safe. Uses two threads per direction per connection; tests only.
 */
public final class TcpProxy implements AutoCloseable {
  private static final byte[] EOF = new byte[0];

  private final ServerSocket listener;
  private final int targetPort;
  private final long delayNanos;
  private final long bytesPerSecond;
  private final AtomicLong toServer = new AtomicLong();
  private final AtomicLong toClient = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private TcpProxy(int targetPort, long delayNanos, long bytesPerSecond) throws IOException {
    this.targetPort = targetPort;
    this.delayNanos = delayNanos;
    this.bytesPerSecond = bytesPerSecond;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy to {@code targetPort} that forwards at once. */
  public static TcpProxy start(int targetPort) throws IOException {
    return new TcpProxy(targetPort, 0, 0);
  }

  /**
   * A proxy to {@code targetPort} adding {@code oneWayDelay} in each direction (the round trip
   * grows by twice that) and, if {@code bytesPerSecond > 0}, pacing each direction to that rate.
   */
  public static TcpProxy start(int targetPort, long oneWayDelay, TimeUnit unit,
      long bytesPerSecond) throws IOException {
    return new TcpProxy(targetPort, unit.toNanos(oneWayDelay), bytesPerSecond);
  }

  /** The port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Connections accepted so far. */
  public long connections() {
    return connections.get();
  }

  /** Bytes the clients have sent (all connections). */
  public long bytesToServer() {
    return toServer.get();
  }

  /** Bytes the server has sent (all connections). */
  public long bytesToClient() {
    return toClient.get();
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        connections.incrementAndGet();
        Socket server = new Socket();
        server.setTcpNoDelay(true);
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        client.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(server);
        pump(client, server, toServer, "c2s");
        pump(server, client, toClient, "s2c");
      } catch (IOException e) {
        if (!closed) {
          // A failed connect: the accepted client sees its connection closed.
          continue;
        }
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, AtomicLong counter, String name) {
    if (delayNanos == 0 && bytesPerSecond == 0) {
      Thread copier = new Thread(() -> copy(from, to, counter), "tcp-proxy-" + name);
      copier.setDaemon(true);
      copier.start();
      return;
    }
    BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      long nextFree = 0; // when the paced link finishes sending what is queued
      try {
        InputStream in = from.getInputStream();
        int n;
        while ((n = in.read(buf)) > 0) {
          counter.addAndGet(n);
          long now = System.nanoTime();
          long due = now + delayNanos;
          if (bytesPerSecond > 0) {
            long start = Math.max(now, nextFree);
            nextFree = start + n * 1_000_000_000L / bytesPerSecond;
            due = nextFree + delayNanos;
          }
          queue.add(new Chunk(Arrays.copyOf(buf, n), due));
        }
      } catch (IOException ignored) {
        // the connection closed
      }
      queue.add(new Chunk(EOF, 0));
    }, "tcp-proxy-" + name + "-read");
    Thread writer = new Thread(() -> {
      try {
        OutputStream out = to.getOutputStream();
        while (true) {
          Chunk c = queue.take();
          if (c.bytes == EOF) {
            to.shutdownOutput();
            return;
          }
          long wait;
          while ((wait = c.due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
          out.write(c.bytes);
        }
      } catch (IOException | InterruptedException ignored) {
        // the connection closed
      } finally {
        if (closed) {
          try {
            to.close();
          } catch (IOException ignored) {
            // closing anyway
          }
        }
      }
    }, "tcp-proxy-" + name + "-write");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  /** Forwards at once: no queue, no thread hand-off, so the proxy adds almost no latency. */
  private void copy(Socket from, Socket to, AtomicLong counter) {
    byte[] buf = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        counter.addAndGet(n);
        out.write(buf, 0, n);
      }
      to.shutdownOutput();
    } catch (IOException ignored) {
      // the connection closed
    }
  }

  private static final class Chunk {
    final byte[] bytes;
    final long due;

    Chunk(byte[] bytes, long due) {
      this.bytes = bytes;
      this.due = due;
    }
  }
}
