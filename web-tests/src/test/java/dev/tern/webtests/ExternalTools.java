package dev.tern.webtests;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the outside programs and files the web tests need are: Node, the npm packages
 * {@code npm ci} installed, the JavaScript protoc-gen-es generated, Chromium and curl. A missing
 * one skips the test with a message saying what to install, except under {@code CI=true}, where
 * it fails the test. Stateless.
 */
final class ExternalTools {
  private ExternalTools() {}

  /** The node executable (Debian's nodejs package). */
  static Path node() {
    return require(onPath("node"), "node (Debian package nodejs) is not on the PATH");
  }

  /** curl. */
  static Path curl() {
    return require(onPath("curl"), "curl is not on the PATH");
  }

  /** Debian's Chromium, driven by playwright-core (never a browser Playwright downloads). */
  static Path chromium() {
    Path chromium = Path.of(System.getProperty("tern.web.chromium", "/usr/bin/chromium"));
    return require(Files.isExecutable(chromium) ? chromium : null,
        chromium + " is missing (Debian package chromium)");
  }

  /** The npm packages from package-lock.json, installed by the build's {@code npm ci}. */
  static Path nodeModules() {
    Path modules = directory("tern.web.nodeModules");
    return require(Files.isDirectory(modules.resolve("@connectrpc/connect-node")) ? modules : null,
        modules + " has no npm packages: the build runs npm ci when /usr/bin/npm exists"
            + " (Debian package npm)");
  }

  /** The ES modules protoc-gen-es generated for the test service (and google.rpc details). */
  static Path generatedJs() {
    Path generated = directory("tern.web.generatedDir");
    return require(
        Files.isRegularFile(generated.resolve("tern/webtest/v1/webtest_pb.js")) ? generated : null,
        generated + " has no generated JavaScript: the build generates it when /usr/bin/npm exists");
  }

  /** src/test/js: the client scripts, the reference server and the browser driver. */
  static Path scripts() {
    return directory("tern.web.jsDir");
  }

  /** src/test/web: the browser page. */
  static Path page() {
    return directory("tern.web.pageDir");
  }

  /** Everything a Node client test needs, checked up front so a skip names the missing piece. */
  static void requireNodeClients() {
    node();
    nodeModules();
    generatedJs();
  }

  private static Path directory(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException("system property " + property
          + " is not set: run the tests through Maven (web-tests/pom.xml sets it)");
    }
    return Path.of(value);
  }

  private static Path onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return Path.of(dir, program);
      }
    }
    return null;
  }

  private static Path require(Path found, String missing) {
    if (found == null) {
      if ("true".equals(System.getenv("CI"))) {
        fail(missing + " (CI=true: required)");
      }
      assumeTrue(false, missing + ": skipping");
    }
    return found;
  }
}
