package dev.tern.webtests;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of src/test/js's Node scripts to its end and parses the JSON line it prints. The
 * script's standard error is kept for the failure message. Used from one test thread at a time.
 */
final class NodeScript {
  /** How long a script may take: far above its normal second or two, far below JUnit's limit. */
  static final long TIMEOUT_SECONDS = 90;

  private NodeScript() {}

  /** Runs {@code node script args...} and returns the JSON object it printed. */
  static JsonObject run(String script, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ExternalTools.node().toString());
    command.add(ExternalTools.scripts().resolve(script).toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command)
        .directory(ExternalTools.scripts().toFile())
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
    process.getOutputStream().close();
    CompletableFuture<String> stdout = readAll(process.getInputStream());
    CompletableFuture<String> stderr = readAll(process.getErrorStream());
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError(command + " did not finish in " + TIMEOUT_SECONDS
            + " s; its standard error so far:\n" + stderr.getNow(""));
      }
      String out = stdout.get(10, TimeUnit.SECONDS).strip();
      String err = stderr.get(10, TimeUnit.SECONDS);
      if (process.exitValue() != 0 || out.isEmpty()) {
        throw new AssertionError(command + " exited with " + process.exitValue()
            + "\nstdout: " + out + "\nstderr: " + err);
      }
      String last = out.substring(out.lastIndexOf('\n') + 1);
      return JsonParser.parseString(last).getAsJsonObject();
    } finally {
      stop(process);
    }
  }

  /**
   * Ends {@code process} if it still runs, and what it started: a browser-run.mjs killed at its
   * timeout would otherwise leave its Chromium running.
   */
  static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Reads a process stream to its end on a thread of its own (a full pipe would stall node). */
  static CompletableFuture<String> readAll(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, runnable -> {
      Thread thread = new Thread(runnable, "node-output");
      thread.setDaemon(true);
      thread.start();
    });
  }

  /** The generated JavaScript directory as the scripts' first argument expects it. */
  static String generatedDir() {
    Path generated = ExternalTools.generatedJs();
    return generated.toAbsolutePath().toString();
  }
}
