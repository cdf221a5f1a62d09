package dev.tern.netty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A minimal HTTP/1.1 client over a plain socket: writes bytes as given, parses responses. */
final class RawHttp1 implements AutoCloseable {
  /** One parsed response. Header names lowercase. */
  record Response(int status, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> v = headers.get(name);
      return v == null ? null : v.get(0);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttp1(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** A request with these headers (Host added) and body (Content-Length added). */
  static byte[] request(String method, String path, byte[] body, String... headers) {
    StringBuilder sb = new StringBuilder(method).append(' ').append(path)
        .append(" HTTP/1.1\r\nHost: localhost\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (body != null) {
      sb.append("Content-Length: ").append(body.length).append("\r\n");
    }
    sb.append("\r\n");
    byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(head);
    if (body != null) {
      all.writeBytes(body);
    }
    return all.toByteArray();
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  Response exchange(byte[] request) throws IOException {
    send(request);
    return read();
  }

  /** Reads one response (Content-Length, chunked, or until EOF). */
  Response read() throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String line;
    while (!(line = line()).isEmpty()) {
      int colon = line.indexOf(':');
      headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    List<String> length = headers.get("content-length");
    List<String> te = headers.get("transfer-encoding");
    if (status == 204 || status == 304) {
      // RFC 9110 §15.3.5: no body.
    } else if (length != null) {
      body.writeBytes(in.readNBytes(Integer.parseInt(length.get(0))));
    } else if (te != null && te.get(0).contains("chunked")) {
      while (true) {
        int size = Integer.parseInt(line().trim(), 16);
        if (size == 0) {
          while (!line().isEmpty()) {
            // trailers: none expected
          }
          break;
        }
        body.writeBytes(in.readNBytes(size));
        line();
      }
    } else {
      body.writeBytes(in.readAllBytes());
    }
    return new Response(status, headers, body.toByteArray());
  }

  /** Whether the server closed the connection (EOF before any byte). */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
