package dev.tern.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class StatusProtoTest {
  private static final BadRequest BAD_REQUEST = BadRequest.newBuilder()
      .addFieldViolations(BadRequest.FieldViolation.newBuilder()
          .setField("email").setDescription("not an address"))
      .addFieldViolations(BadRequest.FieldViolation.newBuilder()
          .setField("age").setDescription("must be positive"))
      .build();

  @Test
  void exceptionCarriesCodeMessageAndDetailsThatReadBack() {
    com.google.rpc.Status rich = StatusProto.of(Status.Code.INVALID_ARGUMENT, "bad request",
        BAD_REQUEST, ErrorInfo.newBuilder().setReason("EMAIL").setDomain("tern.dev").build());

    StatusRuntimeException e = StatusProto.toStatusRuntimeException(rich);

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("bad request", e.getStatus().getDescription());
    assertEquals(rich, StatusProto.fromThrowable(new RuntimeException(e)));
    assertEquals(BAD_REQUEST, StatusProto.detail(rich, BadRequest.class).orElseThrow());
    assertEquals("EMAIL", StatusProto.detail(rich, ErrorInfo.class).orElseThrow().getReason());
    assertTrue(StatusProto.detail(rich, RetryInfo.class).isEmpty());
  }

  @Test
  void extraTrailersAreKeptAndTheDetailsReplaceAnyEarlierOnes() {
    Metadata extra = new Metadata();
    Metadata.Key<String> key = Metadata.Key.ascii("x-request-id");
    extra.put(key, "42");
    extra.put(StatusProto.STATUS_DETAILS_KEY, StatusProto.of(Status.Code.INTERNAL, "stale"));
    com.google.rpc.Status rich = StatusProto.of(Status.Code.UNAVAILABLE, "later",
        RetryInfo.newBuilder().setRetryDelay(Duration.newBuilder().setSeconds(3)).build());

    StatusRuntimeException e = StatusProto.toStatusRuntimeException(rich, extra);

    assertEquals("42", e.getTrailers().get(key));
    assertEquals(1, e.getTrailers().getAll(StatusProto.STATUS_DETAILS_KEY).size());
    assertEquals(rich, StatusProto.fromThrowable(e));
  }

  @Test
  void theGrpcStatusHeaderWinsOverDisagreeingDetails() {
    Metadata trailers = new Metadata();
    trailers.put(StatusProto.STATUS_DETAILS_KEY,
        StatusProto.of(Status.Code.NOT_FOUND, "details say not found", BAD_REQUEST));

    com.google.rpc.Status read = StatusProto.fromStatusAndTrailers(
        Status.INVALID_ARGUMENT.withDescription("header says invalid"), trailers);

    assertEquals(Status.Code.INVALID_ARGUMENT.value(), read.getCode());
    assertEquals("header says invalid", read.getMessage());
    assertEquals(BAD_REQUEST, StatusProto.detail(read, BadRequest.class).orElseThrow());
  }

  @Test
  void absentOrMalformedDetailsReadAsNull() {
    assertNull(StatusProto.fromStatusAndTrailers(Status.INTERNAL, new Metadata()));
    assertNull(StatusProto.fromThrowable(Status.INTERNAL.asRuntimeException()));
    assertNull(StatusProto.fromThrowable(new IllegalStateException()));
    Metadata garbage = new Metadata();
    garbage.put(Metadata.Key.binary("grpc-status-details-bin"), new byte[] {(byte) 0xFF, 1});
    assertNull(StatusProto.fromStatusAndTrailers(Status.INTERNAL, garbage));
  }
}
