package dev.tern.benchmarks;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What one connection costs a server, counted rather than timed: the bytes its threads allocate
 * to set a connection up (with its first call), the bytes per further call on it, and the heap
 * an idle connection holds. Each server (Tern, grpc-java, the raw echo; each executor mode) runs
 * in a fresh JVM with a plain blocking client in the same JVM, which speaks HTTP/2 over real
 * sockets as h2load does (prior knowledge, HPACK-indexed request headers, one gRPC unary call at
 * a time). Allocation is the server threads' own count
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}, every thread but the
 * client's); the heap held is heap used after {@code System.gc()} with the connections open,
 * minus the same with none open.
 *
 * <p>Why counts: {@code run.sh clients}' RSS per connection (peak RSS while h2load opens 1,000
 * connections) grows with every byte allocated during the flood, because no collection runs in
 * it and the young generation's pages are touched for the first time: it measures mostly
 * garbage per call, not memory held. This tells the two apart.
 *
 * <pre>java -cp benchmarks.jar dev.tern.benchmarks.ConnectionCost
 *     [--executor=direct|pool | --all-modes] [--connections=1000] [--calls-per-connection=30]
 *     [--impls=tern,grpc,raw]</pre>
 */
public final class ConnectionCost {
  /** One server's counts, in bytes. */
  record Cost(double setupBytes, double callBytes, double heldBytes) {}

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final String PATH = "/grpc.testing.BenchmarkService/UnaryCall";
  private static final String RESULT = "connection-cost ";

  private ConnectionCost() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].startsWith("--one=")) {
      String[] one = args[0].substring(6).split(":");
      Cost c = measureHere(Harness.Impl.valueOf(one[0]), one[1].equals("direct"),
          Integer.parseInt(one[2]), Integer.parseInt(one[3]));
      System.out.println(RESULT + c.setupBytes() + " " + c.callBytes() + " " + c.heldBytes());
      System.exit(0);
    }
    Args a = new Args(args, "connections", "calls-per-connection", "impls");
    int connections = a.integer("connections", 1000);
    int calls = a.integer("calls-per-connection", 30);
    List<String> impls = a.list("impls", List.of("tern", "grpc", "raw"));
    long started = System.nanoTime();
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%nConnection cost:"
        + " %d connections, each opened, given %d unary call(s) (0 B) one at a time, closed;"
        + " bytes allocated by the server's threads, and heap held per idle connection after"
        + " one call. One fresh JVM per row.%n%n", connections, calls));
    table.append("| server | executor | allocated per connection set up, with its first call (B)"
        + " | allocated per further call (B) | per connection of " + calls + " calls (B)"
        + " | heap held per idle connection (B) |\n|---|---|---:|---:|---:|---:|\n");
    for (String mode : a.modes()) {
      for (String impl : impls) {
        if (impl.equals("raw") && !mode.equals(a.modes().get(0))) {
          continue; // no executor: one row is enough
        }
        Cost c = inChildJvm(impl, mode, connections, calls);
        System.err.printf(Locale.ROOT, "%s %s: setup %.0f B, call %.0f B, held %.0f B%n", impl,
            mode, c.setupBytes(), c.callBytes(), c.heldBytes());
        table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", impl,
            impl.equals("raw") ? "-" : mode, Stats.format(c.setupBytes()),
            Stats.format(c.callBytes()), Stats.format(c.setupBytes() + (calls - 1) * c.callBytes()),
            Stats.format(c.heldBytes())));
      }
    }
    table.append(String.format(Locale.ROOT, "%n%s Ran in %d s.%n", Stats.machine(),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
    System.out.print(table);
  }

  private static Cost inChildJvm(String impl, String mode, int connections, int calls)
      throws Exception {
    List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), ConnectionCost.class.getName(),
        "--one=" + impl.toUpperCase(Locale.ROOT) + ":" + mode + ":" + connections + ":" + calls);
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String result = null;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith(RESULT)) {
          result = line.substring(RESULT.length());
        }
      }
    }
    if (p.waitFor() != 0 || result == null) {
      throw new IllegalStateException(impl + " " + mode + ": the measuring JVM failed");
    }
    String[] v = result.split(" ");
    return new Cost(Double.parseDouble(v[0]), Double.parseDouble(v[1]), Double.parseDouble(v[2]));
  }

  // BenchServer.close() throws Exception, AutoCloseable's own signature: it waits for event loops.
  @SuppressWarnings("try")
  private static Cost measureHere(Harness.Impl impl, boolean direct, int connections, int calls)
      throws Exception {
    try (BenchServer server = BenchServer.start(impl, 0, direct)) {
      int port = server.port();
      for (int warm = 0; warm < 3; warm++) {
        connections(port, connections, calls, false);
      }
      List<Double> setup = new ArrayList<>();
      List<Double> perCall = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        double one = allocatedPerConnection(port, connections, 1);
        double many = allocatedPerConnection(port, connections, calls);
        setup.add(one);
        perCall.add((many - one) / Math.max(1, calls - 1));
      }
      long before = heapAfterGc();
      List<Socket> open = connections(port, connections, 1, true);
      long held = heapAfterGc() - before;
      for (Socket s : open) {
        s.close();
      }
      return new Cost(Stats.median(setup), Stats.median(perCall), (double) held / connections);
    }
  }

  private static double allocatedPerConnection(int port, int connections, int calls)
      throws Exception {
    settle();
    long before = serverAllocatedBytes();
    connections(port, connections, calls, false);
    settle();
    return (double) (serverAllocatedBytes() - before) / connections;
  }

  /** Lets the server finish closing what the client closed. */
  private static void settle() throws InterruptedException {
    Thread.sleep(300);
  }

  private static long heapAfterGc() throws InterruptedException {
    settle();
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Bytes allocated so far by every live thread but this one (the client). */
  private static long serverAllocatedBytes() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    long total = 0;
    for (long id : threads.getAllThreadIds()) {
      long bytes = id == self ? -1 : threads.getThreadAllocatedBytes(id);
      if (bytes > 0) {
        total += bytes;
      }
    }
    return total;
  }

  /**
   * Opens {@code n} connections one after another, each with {@code calls} unary calls one at a
   * time; returns them open if {@code keep}, else closes each after its calls.
   */
  private static List<Socket> connections(int port, int n, int calls, boolean keep)
      throws IOException {
    List<Socket> open = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Socket s = new Socket("127.0.0.1", port);
      try {
        s.setTcpNoDelay(true);
        calls(s, calls);
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
      if (keep) {
        open.add(s);
      } else {
        s.close();
      }
    }
    return open;
  }

  private static void calls(Socket s, int calls) throws IOException {
    OutputStream out = s.getOutputStream();
    DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
    out.write(PREFACE);
    out.write(frame(0x4, 0, 0, new byte[0])); // SETTINGS
    boolean settingsAcked = false;
    for (int c = 0; c < calls; c++) {
      int stream = 1 + 2 * c;
      out.write(frame(0x1, 0x4, stream, c == 0 ? FIRST_HEADERS : INDEXED_HEADERS)); // END_HEADERS
      out.write(frame(0x0, 0x1, stream, new byte[5])); // an empty message, END_STREAM
      out.flush();
      for (;;) {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int id = in.readInt() & Integer.MAX_VALUE;
        in.skipNBytes(length);
        if (type == 0x4 && (flags & 0x1) == 0 && !settingsAcked) {
          out.write(frame(0x4, 0x1, 0, new byte[0]));
          out.flush();
          settingsAcked = true;
        }
        if (type == 0x1 && (flags & 0x1) != 0 && id == stream) {
          break; // the trailers
        }
      }
    }
  }

  /**
   * RFC 7541: :method POST and :scheme http from the static table (indexes 3 and 6), the rest
   * as literals with incremental indexing, which enter the dynamic table in this order.
   */
  private static final byte[] FIRST_HEADERS = firstHeaders();
  /** The same request with every field indexed (the dynamic table's newest entry is 62). */
  private static final byte[] INDEXED_HEADERS = {(byte) 0x83, (byte) 0x86, (byte) (0x80 | 66),
      (byte) (0x80 | 65), (byte) (0x80 | 64), (byte) (0x80 | 63), (byte) (0x80 | 62)};

  private static byte[] firstHeaders() {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(0x83);
    o.write(0x86);
    String[][] fields = {{":path", PATH}, {":authority", "127.0.0.1"},
        {"content-type", "application/grpc"}, {"te", "trailers"},
        {"user-agent", "h2load nghttp2/1.59.0"}};
    for (String[] f : fields) {
      o.write(0x40);
      o.write(f[0].length());
      o.writeBytes(f[0].getBytes(StandardCharsets.US_ASCII));
      o.write(f[1].length());
      o.writeBytes(f[1].getBytes(StandardCharsets.US_ASCII));
    }
    return o.toByteArray();
  }

  private static byte[] frame(int type, int flags, int stream, byte[] payload) {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (stream >>> 24);
    f[6] = (byte) (stream >>> 16);
    f[7] = (byte) (stream >>> 8);
    f[8] = (byte) stream;
    System.arraycopy(payload, 0, f, 9, payload.length);
    return f;
  }
}
