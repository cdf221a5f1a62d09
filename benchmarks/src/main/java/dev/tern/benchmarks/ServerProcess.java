package dev.tern.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server in its own process, for measurements from outside: started from a command that prints
 * {@code Server started on port PORT}, read through /proc (CPU time, resident memory, bytes read
 * and written) and stopped with SIGTERM. Used by one thread at a time, except {@link #rssKib()},
 * which only reads /proc.
 */
final class ServerProcess implements AutoCloseable {
  /** Clock ticks per second, the unit of utime and stime in /proc/PID/stat (proc(5)). */
  static final long CLOCK_TICKS = clockTicks();

  private final Process process;
  private final int port;

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** {@code bench-server.sh --port=0 --executor=EXECUTOR --impl=IMPL}. */
  static ServerProcess benchServer(String script, String impl, String executor)
      throws IOException {
    return start(List.of("bash", script, "--port=0", "--executor=" + executor, "--impl=" + impl));
  }

  /** {@code mainClass} in a JVM on this JVM's class path (the benchmarks uber-jar). */
  static ServerProcess java(String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return start(command);
  }

  static ServerProcess start(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      return new ServerProcess(process, awaitStarted(process));
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** utime + stime so far, in microseconds. */
  long cpuMicros() throws IOException {
    return cpuTicks(process.pid()) * 1_000_000 / CLOCK_TICKS;
  }

  /** Resident set size now (VmRSS in /proc/PID/status), in KiB. */
  long rssKib() throws IOException {
    return statusField("VmRSS:");
  }

  /** The number in the line of /proc/PID/status that starts with {@code name}. */
  private long statusField(String name) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no " + name + " in /proc/" + process.pid() + "/status");
  }

  /**
   * Bytes the process passed to read and write system calls so far (rchar + wchar in
   * /proc/PID/io): for these servers, socket traffic, since Netty's epoll and NIO transports
   * read and write sockets with read/write/writev. TCP/IP headers are not included.
   */
  long ioBytes() throws IOException {
    long total = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/io"))) {
      if (line.startsWith("rchar:") || line.startsWith("wchar:")) {
        total += Long.parseLong(line.substring(6).trim());
      }
    }
    return total;
  }

  /**
   * Write-family system calls so far (syscw in /proc/PID/io): socket writes (write, writev) and
   * the eventfd writes that wake an event loop from another thread.
   */
  long writeSyscalls() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/io"))) {
      if (line.startsWith("syscw:")) {
        return Long.parseLong(line.substring(6).trim());
      }
    }
    throw new IOException("no syscw in /proc/" + process.pid() + "/io");
  }

  /**
   * Voluntary context switches of all the process's live threads so far (each time a thread
   * parks or waits: a thread wake-up's cost), from /proc/PID/task/TID/status.
   */
  long contextSwitches() throws IOException {
    long total = 0;
    try (var tasks = Files.newDirectoryStream(Path.of("/proc/" + process.pid() + "/task"))) {
      for (Path task : tasks) {
        try {
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              total += Long.parseLong(line.substring(24).trim());
            }
          }
        } catch (java.nio.file.NoSuchFileException e) {
          // the thread ended while we listed them
        }
      }
    }
    return total;
  }

  /**
   * utime + stime so far of the JIT compiler threads alive now (HotSpot names them "C1
   * CompilerThreadN" and "C2 CompilerThreadN"; /proc shows the first 15 characters), in
   * microseconds: how much of the server's CPU went to compiling rather than serving. A compiler
   * thread that ended takes its count with it (HotSpot starts and stops them as the queue grows
   * and shrinks), so over a window this is a lower bound.
   */
  long compilerCpuMicros() throws IOException {
    long ticks = 0;
    try (var tasks = Files.newDirectoryStream(Path.of("/proc/" + process.pid() + "/task"))) {
      for (Path task : tasks) {
        try {
          String comm = Files.readString(task.resolve("comm")).trim();
          if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            ticks += cpuTicks(process.pid() + "/task/" + task.getFileName());
          }
        } catch (java.nio.file.NoSuchFileException e) {
          // the thread ended while we listed them
        }
      }
    }
    return ticks * 1_000_000 / CLOCK_TICKS;
  }

  /** Live threads now (Threads in /proc/PID/status). */
  long threads() throws IOException {
    return statusField("Threads:");
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static int awaitStarted(Process server) throws IOException {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("Server started on port ")) {
        return Integer.parseInt(line.substring("Server started on port ".length()).trim());
      }
    }
    throw new IOException("server exited before it started");
  }

  /** utime + stime of a process, in clock ticks (proc(5): fields 14 and 15 of stat). */
  static long cpuTicks(long pid) throws IOException {
    return cpuTicks(String.valueOf(pid));
  }

  /** utime + stime of /proc/{@code path}/stat: a process ("PID") or one thread ("PID/task/TID"). */
  private static long cpuTicks(String path) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + path + "/stat"));
    // The command name may hold spaces; fields are counted after its closing parenthesis.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor();
      return Long.parseLong(s);
    } catch (IOException | InterruptedException | NumberFormatException e) {
      return 100;
    }
  }
}
