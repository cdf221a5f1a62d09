package dev.tern.benchmarks;

import com.google.protobuf.ByteString;
import io.grpc.benchmarks.proto.Messages.Payload;
import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import io.grpc.benchmarks.proto.Messages.SimpleResponse;

/**
 * Requests and responses of the benchmark scenarios, built once per size and shared by every
 * implementation so that each side marshals the same bytes. Thread-safe.
 */
public final class Payloads {
  private static final int CACHED = 4;
  // Sizes used by the scenarios are few; a tiny lock-free cache avoids rebuilding zero payloads.
  private static final SimpleResponse[] RESPONSES = new SimpleResponse[CACHED];
  private static final SimpleResponse EMPTY = SimpleResponse.getDefaultInstance();

  private Payloads() {}

  /** A response with {@code size} zero bytes of payload, as grpc's QPS server answers. */
  public static SimpleResponse response(int size) {
    if (size <= 0) {
      return EMPTY;
    }
    int slot = Integer.numberOfTrailingZeros(size) & (CACHED - 1);
    SimpleResponse cached = RESPONSES[slot];
    if (cached != null && cached.getPayload().getBody().size() == size) {
      return cached;
    }
    SimpleResponse built = SimpleResponse.newBuilder()
        .setPayload(Payload.newBuilder().setBody(ByteString.copyFrom(new byte[size])))
        .build();
    RESPONSES[slot] = built;
    return built;
  }

  /** A request carrying {@code size} zero bytes and asking for {@code size} bytes back. */
  public static SimpleRequest request(int size) {
    SimpleRequest.Builder b = SimpleRequest.newBuilder().setResponseSize(size);
    if (size > 0) {
      b.setPayload(Payload.newBuilder().setBody(ByteString.copyFrom(new byte[size])));
    }
    return b.build();
  }
}
