package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the system's curl; tests skip without it, except under CI=true, where they fail. */
final class Curl {
  private Curl() {}

  static void assumeInstalled() {
    boolean found = false;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, "curl").canExecute()) {
        found = true;
      }
    }
    if (!found) {
      if ("true".equals(System.getenv("CI"))) {
        fail("curl is not installed (required under CI=true)");
      }
      Assumptions.assumeTrue(false, "curl is not installed: skipping");
    }
  }

  /** Runs {@code curl -s -i args...} with {@code body} on stdin; parses the last response. */
  static RawHttp1.Response run(byte[] body, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-s", "-i", "--max-time", "30"));
    command.addAll(List.of(args));
    if (body != null) {
      command.addAll(List.of("--data-binary", "@-"));
    }
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (body != null) {
      p.getOutputStream().write(body);
    }
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("curl failed: exit " + p.exitValue());
    }
    return parse(out);
  }

  private static RawHttp1.Response parse(byte[] out) {
    String all = new String(out, StandardCharsets.ISO_8859_1);
    int end = all.indexOf("\r\n\r\n");
    String head = all.substring(0, end);
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
    }
    byte[] body = java.util.Arrays.copyOfRange(out, end + 4, out.length);
    return new RawHttp1.Response(status, headers, body);
  }
}
