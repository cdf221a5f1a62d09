package dev.tern.netty.internal;

import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.internal.StatusMessageCodec;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.ReadOnlyHttp2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * gRPC's HTTP/2 header names and values (PROTOCOL-HTTP2.md), and the conversion between
 * {@link Metadata} and Netty's {@link Http2Headers}. Stateless and thread-safe.
 */
public final class GrpcHeaders {
  public static final AsciiString POST = AsciiString.cached("POST");
  public static final AsciiString HTTP = AsciiString.cached("http");
  public static final AsciiString HTTPS = AsciiString.cached("https");
  public static final AsciiString STATUS_OK = AsciiString.cached("200");
  public static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
  public static final AsciiString CONTENT_TYPE_GRPC = AsciiString.cached("application/grpc");
  public static final AsciiString TE = AsciiString.cached("te");
  public static final AsciiString TE_TRAILERS = AsciiString.cached("trailers");
  public static final AsciiString USER_AGENT = AsciiString.cached("user-agent");
  public static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
  public static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
  public static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
  public static final AsciiString GRPC_ENCODING = AsciiString.cached("grpc-encoding");
  public static final AsciiString GRPC_ACCEPT_ENCODING = AsciiString.cached("grpc-accept-encoding");

  /**
   * Metadata.isReserved's names as AsciiStrings (their equals needs an AsciiString), by length:
   * a received name is compared with the one to three of its length, each comparison ending at
   * the cached hashes (a set's probe costs more for the eight or so fields of every request).
   */
  private static final AsciiString[][] RESERVED_BY_LENGTH = byLength(CONTENT_TYPE, TE,
      GRPC_STATUS, GRPC_MESSAGE, GRPC_TIMEOUT, GRPC_ENCODING, GRPC_ACCEPT_ENCODING,
      AsciiString.cached("grpc-message-type"), AsciiString.cached("connection"),
      AsciiString.cached("host"));

  /** Trailers of a successful call with no metadata: read-only, shared by every call. */
  public static final Http2Headers OK_TRAILERS = ReadOnlyHttp2Headers.trailers(false,
      GRPC_STATUS, AsciiString.cached("0"));

  private static final AsciiString[] STATUS_CODES = new AsciiString[Status.Code.values().length];

  static {
    for (Status.Code code : Status.Code.values()) {
      STATUS_CODES[code.value()] = AsciiString.cached(Integer.toString(code.value()));
    }
  }

  private static final Base64.Encoder BASE64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();

  private GrpcHeaders() {}

  /** The {@code grpc-status} value for a code, without allocation. */
  public static AsciiString statusValue(Status.Code code) {
    return STATUS_CODES[code.value()];
  }

  /** Whether a content-type is gRPC's: {@code application/grpc} alone or with a suffix. */
  public static boolean isGrpcContentType(CharSequence contentType) {
    if (contentType == null) {
      return false;
    }
    if (contentType instanceof AsciiString ascii && ascii.contentEquals(CONTENT_TYPE_GRPC)) {
      // What clients send: a byte comparison, where the case-blind match below goes char by
      // char. This runs on every request, twice (WebDispatcher, MethodRouter).
      return true;
    }
    int n = CONTENT_TYPE_GRPC.length();
    if (contentType.length() < n
        || !AsciiString.regionMatches(contentType, true, 0, CONTENT_TYPE_GRPC, 0, n)) {
      return false;
    }
    if (contentType.length() == n) {
      return true;
    }
    char next = contentType.charAt(n);
    // "application/grpc+proto", "application/grpc;charset=..." (PROTOCOL-HTTP2.md Content-Type).
    return next == '+' || next == ';';
  }

  /**
   * Whether a comma-separated header value such as {@code grpc-accept-encoding} lists
   * {@code token} (RFC 9110 §5.6.1 lists: optional whitespace around elements).
   */
  public static boolean listContains(CharSequence list, String token) {
    if (list == null) {
      return false;
    }
    int n = list.length();
    int start = 0;
    while (start <= n) {
      int comma = start;
      while (comma < n && list.charAt(comma) != ',') {
        comma++;
      }
      int from = start;
      int to = comma;
      while (from < to && isOws(list.charAt(from))) {
        from++;
      }
      while (to > from && isOws(list.charAt(to - 1))) {
        to--;
      }
      if (to - from == token.length()
          && AsciiString.regionMatches(list, true, from, token, 0, token.length())) {
        return true;
      }
      start = comma + 1;
    }
    return false;
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  /** Adds {@code metadata} to {@code headers}: binary values base64 without padding. */
  public static void addMetadata(Metadata metadata, Http2Headers headers) {
    for (int i = 0; i < metadata.size(); i++) {
      Object value = metadata.rawValueAt(i);
      String name = metadata.nameAt(i);
      if (value instanceof byte[]) {
        headers.add(new AsciiString(name.getBytes(StandardCharsets.US_ASCII), false),
            new AsciiString(BASE64.encode((byte[]) value), false));
      } else {
        headers.add(new AsciiString(name.getBytes(StandardCharsets.US_ASCII), false),
            (String) value);
      }
    }
  }

  /**
   * Converts received headers to application metadata, leaving out pseudo-headers and the
   * headers gRPC itself owns.
   *
   * @throws IllegalArgumentException for an invalid base64 {@code -bin} value
   */
  public static Metadata toMetadata(Http2Headers headers) {
    Metadata md = new Metadata();
    int n = headers instanceof InboundHeaders inbound ? inbound.fieldCount() : -1;
    if (n >= 0) {
      // Headers as decoded (InboundHeaders): read by index, no iterator or entry objects.
      InboundHeaders inbound = (InboundHeaders) headers;
      for (int i = 0; i < n; i++) {
        addField(md, inbound.nameAt(i), inbound.valueAt(i));
      }
    } else {
      for (Map.Entry<CharSequence, CharSequence> e : headers) {
        addField(md, e.getKey(), e.getValue());
      }
    }
    return md;
  }

  /** Adds one received field to {@code md} unless it is not application metadata. */
  private static void addField(Metadata md, CharSequence name, CharSequence value) {
    if (name.length() == 0 || name.charAt(0) == ':') {
      return;
    }
    String key;
    if (name instanceof AsciiString ascii) {
      // Decoded names are AsciiStrings: gRPC's own headers are skipped without a String copy
      // (and the String of a name kept is the one AsciiString caches).
      if (isReserved(ascii)) {
        return;
      }
      key = ascii.toString();
    } else {
      key = name.toString();
      if (Metadata.isReserved(key)) {
        return;
      }
    }
    if (!Metadata.isValidKey(key)) {
      // A legal HTTP/2 field name that is not a gRPC metadata key (e.g. "x-a~b", added by a
      // proxy): applications could never read it through a Metadata.Key, so it is skipped
      // rather than failing the call (grpc-java passes such calls through too).
      return;
    }
    if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
      addBinary(md, key, value);
    } else {
      md.putRaw(key, value.toString());
    }
  }

  /** Whether {@code name} is one of Metadata.isReserved's names. */
  private static boolean isReserved(AsciiString name) {
    int n = name.length();
    if (n >= RESERVED_BY_LENGTH.length) {
      return false;
    }
    for (AsciiString reserved : RESERVED_BY_LENGTH[n]) {
      if (reserved.equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static AsciiString[][] byLength(AsciiString... names) {
    int max = 0;
    for (AsciiString name : names) {
      max = Math.max(max, name.length());
    }
    AsciiString[][] table = new AsciiString[max + 1][0];
    for (AsciiString name : names) {
      AsciiString[] row = table[name.length()];
      row = Arrays.copyOf(row, row.length + 1);
      row[row.length - 1] = name;
      table[name.length()] = row;
    }
    return table;
  }

  private static void addBinary(Metadata md, String key, CharSequence value) {
    // Several binary values may be folded into one header, separated by commas.
    String s = value.toString();
    int start = 0;
    while (true) {
      int comma = s.indexOf(',', start);
      String part = (comma < 0 ? s.substring(start) : s.substring(start, comma)).trim();
      try {
        md.putRaw(key, BASE64_DECODER.decode(part));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("invalid base64 in header " + key + ": " + ex.getMessage(),
            ex);
      }
      if (comma < 0) {
        return;
      }
      start = comma + 1;
    }
  }

  /** Writes {@code grpc-status} and, if there is a description, {@code grpc-message}. */
  public static void addStatus(Status status, Http2Headers headers) {
    headers.set(GRPC_STATUS, statusValue(status.getCode()));
    if (status.getDescription() != null) {
      headers.set(GRPC_MESSAGE, StatusMessageCodec.encode(status.getDescription()));
    }
  }

  /**
   * The status in received trailers, or null if there is no {@code grpc-status}. An unparsable
   * code maps to UNKNOWN.
   */
  public static Status statusFromTrailers(Http2Headers trailers) {
    CharSequence code = trailers.get(GRPC_STATUS);
    if (code == null) {
      return null;
    }
    Status status;
    try {
      status = Status.fromCodeValue(Integer.parseInt(code.toString()));
    } catch (NumberFormatException e) {
      status = Status.UNKNOWN.withDescription("malformed grpc-status: " + code);
    }
    CharSequence message = trailers.get(GRPC_MESSAGE);
    if (message != null) {
      status = status.withDescription(StatusMessageCodec.decode(message));
    }
    return status;
  }

  /**
   * The gRPC status for a non-200 HTTP status (PROTOCOL-HTTP2.md; grpc's
   * doc/http-grpc-status-mapping.md).
   */
  public static Status statusFromHttp(int httpStatus) {
    Status.Code code;
    switch (httpStatus) {
      case 400:
        code = Status.Code.INTERNAL;
        break;
      case 401:
        code = Status.Code.UNAUTHENTICATED;
        break;
      case 403:
        code = Status.Code.PERMISSION_DENIED;
        break;
      case 404:
        code = Status.Code.UNIMPLEMENTED;
        break;
      case 429:
      case 502:
      case 503:
      case 504:
        code = Status.Code.UNAVAILABLE;
        break;
      default:
        code = Status.Code.UNKNOWN;
    }
    return code.toStatus().withDescription("HTTP status code " + httpStatus);
  }
}
