package dev.tern.protobuf;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import java.util.Objects;
import java.util.Optional;

/**
 * Rich error details: a {@code google.rpc.Status} (code, message and typed details such as
 * {@code BadRequest}, {@code ErrorInfo}, {@code RetryInfo}) carried in the
 * {@code grpc-status-details-bin} trailer next to {@code grpc-status} and {@code grpc-message},
 * as gRPC's error model describes; interoperable with grpc-java's
 * {@code io.grpc.protobuf.StatusProto} and the other gRPC implementations.
 *
 * <pre>{@code
 * // server
 * BadRequest bad = BadRequest.newBuilder().addFieldViolations(FieldViolation.newBuilder()
 *     .setField("email").setDescription("not an address")).build();
 * responseObserver.onError(StatusProto.toStatusRuntimeException(
 *     StatusProto.of(Status.Code.INVALID_ARGUMENT, "bad request", bad)));
 *
 * // client
 * com.google.rpc.Status rich = StatusProto.fromThrowable(e);
 * Optional<BadRequest> details = StatusProto.detail(rich, BadRequest.class);
 * }</pre>
 *
 * <p><b>When the two disagree, the {@code grpc-status} header wins.</b> The code and message a
 * call ended with are those of {@code grpc-status}/{@code grpc-message}; a
 * {@code grpc-status-details-bin} whose code or message differs (a buggy or hostile peer, a proxy
 * that rewrote the status) is read with its code and message replaced by the header's, keeping
 * its details. A trailer that does not parse is ignored as if absent.
 *
 * <p>Stateless and thread-safe.
 */
public final class StatusProto {
  /** The {@code grpc-status-details-bin} trailer: a serialized {@code google.rpc.Status}. */
  public static final Metadata.Key<com.google.rpc.Status> STATUS_DETAILS_KEY =
      Metadata.Key.of("grpc-status-details-bin", new Metadata.BinaryMarshaller<>() {
        @Override
        public byte[] toBytes(com.google.rpc.Status value) {
          return value.toByteArray();
        }

        @Override
        public com.google.rpc.Status parseBytes(byte[] serialized) {
          try {
            return com.google.rpc.Status.parseFrom(serialized);
          } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("malformed grpc-status-details-bin", e);
          }
        }
      });

  private StatusProto() {}

  /** A {@code google.rpc.Status} with {@code code}, {@code message} and packed {@code details}. */
  public static com.google.rpc.Status of(Status.Code code, String message, Message... details) {
    com.google.rpc.Status.Builder b = com.google.rpc.Status.newBuilder()
        .setCode(code.value())
        .setMessage(message == null ? "" : message);
    for (Message detail : details) {
      b.addDetails(Any.pack(Objects.requireNonNull(detail, "detail")));
    }
    return b.build();
  }

  /**
   * An exception that ends a call with {@code status}: its code and message become
   * {@code grpc-status} and {@code grpc-message}, the whole message {@code grpc-status-details-bin}.
   */
  public static StatusRuntimeException toStatusRuntimeException(com.google.rpc.Status status) {
    return toStatus(status).asRuntimeException(trailers(status, null));
  }

  /** Like {@link #toStatusRuntimeException(com.google.rpc.Status)}, with more trailers. */
  public static StatusRuntimeException toStatusRuntimeException(
      com.google.rpc.Status status, Metadata trailers) {
    return toStatus(status).asRuntimeException(trailers(status, trailers));
  }

  /** The checked variant of {@link #toStatusRuntimeException(com.google.rpc.Status)}. */
  public static StatusException toStatusException(com.google.rpc.Status status) {
    return toStatus(status).asException(trailers(status, null));
  }

  /** The checked variant of {@link #toStatusRuntimeException(com.google.rpc.Status, Metadata)}. */
  public static StatusException toStatusException(
      com.google.rpc.Status status, Metadata trailers) {
    return toStatus(status).asException(trailers(status, trailers));
  }

  /**
   * The rich status of a failed call, from a {@link StatusRuntimeException} or
   * {@link StatusException} in {@code t}'s causes; null if there is none or its trailers carry no
   * details.
   */
  public static com.google.rpc.Status fromThrowable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StatusRuntimeException || c instanceof StatusException) {
        return fromStatusAndTrailers(Status.fromThrowable(c), Status.trailersFromThrowable(c));
      }
    }
    return null;
  }

  /**
   * The rich status carried by {@code trailers}, reconciled with {@code status} (the header
   * wins: see the class comment); null if the trailers carry none.
   */
  public static com.google.rpc.Status fromStatusAndTrailers(Status status, Metadata trailers) {
    Objects.requireNonNull(status, "status");
    if (trailers == null) {
      return null;
    }
    com.google.rpc.Status details;
    try {
      details = trailers.get(STATUS_DETAILS_KEY);
    } catch (IllegalArgumentException e) {
      return null; // unparsable: ignored, the plain status stands
    }
    if (details == null) {
      return null;
    }
    String message = status.getDescription() == null ? "" : status.getDescription();
    if (details.getCode() != status.getCode().value() || !details.getMessage().equals(message)) {
      details = details.toBuilder().setCode(status.getCode().value()).setMessage(message).build();
    }
    return details;
  }

  /** The first detail of {@code type} in {@code status}, if any. */
  public static <T extends Message> Optional<T> detail(
      com.google.rpc.Status status, Class<T> type) {
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /** The {@link Status} for a rich status: its code (unknown numbers map to UNKNOWN), message. */
  public static Status toStatus(com.google.rpc.Status status) {
    Status s = Status.fromCodeValue(status.getCode());
    return status.getMessage().isEmpty() ? s : s.withDescription(status.getMessage());
  }

  private static Metadata trailers(com.google.rpc.Status status, Metadata extra) {
    Metadata trailers = new Metadata();
    if (extra != null) {
      trailers.merge(extra);
      if (trailers.containsKey(STATUS_DETAILS_KEY)) {
        trailers.removeAll(STATUS_DETAILS_KEY);
      }
    }
    trailers.put(STATUS_DETAILS_KEY, status);
    return trailers;
  }
}
