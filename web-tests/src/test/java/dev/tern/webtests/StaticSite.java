package dev.tern.webtests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The browser page's origin: a small HTTP server (the JDK's) for the page, the shared suite, the
 * generated JavaScript and the npm packages' ES modules, on a port of its own, so that every call
 * the page makes to the server under test is cross-origin (CORS preflight and all). Serves GET
 * only, files under its roots only. Thread-safe: the JDK server's one dispatcher thread serves it.
 */
final class StaticSite implements AutoCloseable {
  /** URL prefix → directory. */
  private final Map<String, Path> roots;
  private final HttpServer server;

  private StaticSite(Map<String, Path> roots) throws IOException {
    this.roots = roots;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::serve);
    server.start();
  }

  /** The page, the suite, the generated code and node_modules, as page.js imports them. */
  static StaticSite start() throws IOException {
    return new StaticSite(Map.of(
        "/js/", ExternalTools.scripts(),
        "/gen/", ExternalTools.generatedJs(),
        "/node_modules/", ExternalTools.nodeModules(),
        "/", ExternalTools.page()));
  }

  /** The page's origin, which the server under test must allow (CORS). */
  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The page's URL, calling the server at {@code serverUrl}. */
  String pageUrl(String serverUrl) {
    return origin() + "/index.html?server=" + serverUrl;
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      Path file = resolve(exchange.getRequestURI().getPath());
      if (!"GET".equals(exchange.getRequestMethod()) || file == null
          || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] body = Files.readAllBytes(file);
      // Module scripts must come with a JavaScript MIME type (HTML's "fetch a module script").
      String name = file.getFileName().toString();
      String type = name.endsWith(".html") ? "text/html; charset=utf-8"
          : name.endsWith(".js") || name.endsWith(".mjs") ? "text/javascript; charset=utf-8"
          : "application/octet-stream";
      exchange.getResponseHeaders().set("content-type", type);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private Path resolve(String path) {
    String prefix = roots.keySet().stream()
        .filter(path::startsWith)
        .max((a, b) -> Integer.compare(a.length(), b.length()))
        .orElse(null);
    if (prefix == null) {
      return null;
    }
    Path root = roots.get(prefix).toAbsolutePath().normalize();
    Path file = root.resolve(path.substring(prefix.length())).normalize();
    return file.startsWith(root) ? file : null;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
