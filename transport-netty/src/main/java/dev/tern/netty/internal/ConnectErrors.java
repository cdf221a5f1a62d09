package dev.tern.netty.internal;

import dev.tern.Metadata;
import dev.tern.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Connect protocol's error model (connectrpc.com docs/protocol.md "Error Codes" and "Unary
 * Response"/"End-Stream Message"): code names, the HTTP status of each code, and the JSON error
 * object with {@code google.rpc.Status} details taken from {@code grpc-status-details-bin}.
 * Stateless; any thread.
 */
final class ConnectErrors {
  /** The trailers key carrying a serialized google.rpc.Status (gRPC rich errors). */
  static final String DETAILS_KEY = "grpc-status-details-bin";
  private static final Base64.Encoder BASE64_NO_PADDING = Base64.getEncoder().withoutPadding();

  private ConnectErrors() {}

  /** The Connect name of {@code code}: the gRPC name in lower snake case, "canceled" for 1. */
  static String codeName(Status.Code code) {
    return code == Status.Code.CANCELLED ? "canceled" : code.name().toLowerCase(Locale.ROOT);
  }

  /** The gRPC code of a Connect name, or null. */
  static Status.Code code(String name) {
    if ("canceled".equals(name)) {
      return Status.Code.CANCELLED;
    }
    for (Status.Code c : Status.Code.values()) {
      if (c != Status.Code.OK && c.name().toLowerCase(Locale.ROOT).equals(name)) {
        return c;
      }
    }
    return null;
  }

  /** The HTTP status of a unary error with {@code code} (the protocol's table). */
  static int httpStatus(Status.Code code) {
    return switch (code) {
      case CANCELLED -> 499;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case DEADLINE_EXCEEDED -> 504;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case PERMISSION_DENIED -> 403;
      case RESOURCE_EXHAUSTED -> 429;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case UNAUTHENTICATED -> 401;
      default -> 500; // UNKNOWN, INTERNAL, DATA_LOSS
    };
  }

  /**
   * The JSON error object: {@code {"code": ..., "message": ..., "details": [{"type": ...,
   * "value": ...}]}}, details from {@code trailers}' {@code grpc-status-details-bin} (if any).
   */
  static String errorJson(Status status, Metadata trailers) {
    StringBuilder json = new StringBuilder(64).append("{\"code\":");
    quote(codeName(status.getCode()), json);
    if (status.getDescription() != null && !status.getDescription().isEmpty()) {
      json.append(",\"message\":");
      quote(status.getDescription(), json);
    }
    byte[] details = trailers == null ? null : lastBinary(trailers, DETAILS_KEY);
    if (details != null) {
      List<byte[][]> anys = RpcStatusReader.details(details);
      if (!anys.isEmpty()) {
        json.append(",\"details\":[");
        for (int i = 0; i < anys.size(); i++) {
          if (i > 0) {
            json.append(',');
          }
          String typeUrl = new String(anys.get(i)[0], StandardCharsets.UTF_8);
          json.append("{\"type\":");
          // The protocol names the message, without the type URL's prefix.
          quote(typeUrl.substring(typeUrl.lastIndexOf('/') + 1), json);
          json.append(",\"value\":\"")
              .append(BASE64_NO_PADDING.encodeToString(anys.get(i)[1])).append("\"}");
        }
        json.append(']');
      }
    }
    return json.append('}').toString();
  }

  /**
   * The end-stream message of a Connect stream: {@code {"error": {...}, "metadata": {...}}}, the
   * error only if {@code status} is not OK.
   */
  static String endStreamJson(Status status, Metadata trailers) {
    StringBuilder json = new StringBuilder(32).append('{');
    if (!status.isOk()) {
      json.append("\"error\":").append(errorJson(status, trailers));
    }
    Map<String, List<String>> md = textValues(trailers);
    if (!md.isEmpty()) {
      if (json.length() > 1) {
        json.append(',');
      }
      json.append("\"metadata\":{");
      boolean first = true;
      for (Map.Entry<String, List<String>> e : md.entrySet()) {
        if (!first) {
          json.append(',');
        }
        first = false;
        quote(e.getKey(), json);
        json.append(":[");
        for (int i = 0; i < e.getValue().size(); i++) {
          if (i > 0) {
            json.append(',');
          }
          quote(e.getValue().get(i), json);
        }
        json.append(']');
      }
      json.append('}');
    }
    return json.append('}').toString();
  }

  /** Metadata as header values (binary ones base64), in order, grouped by key. */
  static Map<String, List<String>> textValues(Metadata md) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (md == null) {
      return out;
    }
    for (int i = 0; i < md.size(); i++) {
      Object value = md.rawValueAt(i);
      String text = value instanceof byte[] bytes ? BASE64_NO_PADDING.encodeToString(bytes)
          : (String) value;
      out.computeIfAbsent(md.nameAt(i), k -> new ArrayList<>()).add(text);
    }
    return out;
  }

  private static byte[] lastBinary(Metadata md, String key) {
    byte[] found = null;
    for (int i = 0; i < md.size(); i++) {
      if (key.equals(md.nameAt(i)) && md.rawValueAt(i) instanceof byte[] bytes) {
        found = bytes;
      }
    }
    return found;
  }

  /** Appends {@code s} as a JSON string (RFC 8259 §7). */
  static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
