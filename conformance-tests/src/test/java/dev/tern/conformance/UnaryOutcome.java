package dev.tern.conformance;

import dev.tern.Status;
import java.util.List;

/** What one unary call saw, in implementation-neutral terms. Immutable. */
final class UnaryOutcome {
  final Status.Code code;
  final String description;
  /** Response headers, or null if there were none (Trailers-Only). */
  final MetadataList headers;
  final List<String> responses;
  final MetadataList trailers;

  UnaryOutcome(Status.Code code, String description, MetadataList headers,
      List<String> responses, MetadataList trailers) {
    this.code = code;
    this.description = description;
    this.headers = headers;
    this.responses = List.copyOf(responses);
    this.trailers = trailers;
  }

  @Override
  public String toString() {
    return "UnaryOutcome{" + code + " '" + description + "', headers=" + headers
        + ", responses=" + responses.size() + ", trailers=" + trailers + "}";
  }
}
