package dev.tern;

import java.util.Objects;

/**
 * The outcome of a call: a {@link Code}, an optional description for humans and an optional
 * local cause (never sent on the wire). Immutable; safe to share across threads.
 *
 * <pre>{@code
 * throw Status.NOT_FOUND.withDescription("no user " + id).asRuntimeException();
 * }</pre>
 */
public final class Status {

  /** The canonical gRPC status codes, numbered as on the wire ({@code grpc-status}). */
  public enum Code {
    OK(0),
    CANCELLED(1),
    UNKNOWN(2),
    INVALID_ARGUMENT(3),
    DEADLINE_EXCEEDED(4),
    NOT_FOUND(5),
    ALREADY_EXISTS(6),
    PERMISSION_DENIED(7),
    RESOURCE_EXHAUSTED(8),
    FAILED_PRECONDITION(9),
    ABORTED(10),
    OUT_OF_RANGE(11),
    UNIMPLEMENTED(12),
    INTERNAL(13),
    UNAVAILABLE(14),
    DATA_LOSS(15),
    UNAUTHENTICATED(16);

    private static final Code[] BY_VALUE = values();

    private final int value;

    Code(int value) {
      this.value = value;
    }

    /** The code's number, as sent in {@code grpc-status}. */
    public int value() {
      return value;
    }

    /** The status with this code and no description. */
    public Status toStatus() {
      return STATUSES[value];
    }

    /** The code with this number; unknown numbers map to {@link #UNKNOWN} as the spec asks. */
    public static Code fromValue(int value) {
      return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : UNKNOWN;
    }
  }

  private static final Status[] STATUSES = new Status[Code.values().length];

  static {
    for (Code code : Code.values()) {
      STATUSES[code.value()] = new Status(code, null, null);
    }
  }

  public static final Status OK = Code.OK.toStatus();
  public static final Status CANCELLED = Code.CANCELLED.toStatus();
  public static final Status UNKNOWN = Code.UNKNOWN.toStatus();
  public static final Status INVALID_ARGUMENT = Code.INVALID_ARGUMENT.toStatus();
  public static final Status DEADLINE_EXCEEDED = Code.DEADLINE_EXCEEDED.toStatus();
  public static final Status NOT_FOUND = Code.NOT_FOUND.toStatus();
  public static final Status ALREADY_EXISTS = Code.ALREADY_EXISTS.toStatus();
  public static final Status PERMISSION_DENIED = Code.PERMISSION_DENIED.toStatus();
  public static final Status RESOURCE_EXHAUSTED = Code.RESOURCE_EXHAUSTED.toStatus();
  public static final Status FAILED_PRECONDITION = Code.FAILED_PRECONDITION.toStatus();
  public static final Status ABORTED = Code.ABORTED.toStatus();
  public static final Status OUT_OF_RANGE = Code.OUT_OF_RANGE.toStatus();
  public static final Status UNIMPLEMENTED = Code.UNIMPLEMENTED.toStatus();
  public static final Status INTERNAL = Code.INTERNAL.toStatus();
  public static final Status UNAVAILABLE = Code.UNAVAILABLE.toStatus();
  public static final Status DATA_LOSS = Code.DATA_LOSS.toStatus();
  public static final Status UNAUTHENTICATED = Code.UNAUTHENTICATED.toStatus();

  private final Code code;
  private final String description;
  private final Throwable cause;

  private Status(Code code, String description, Throwable cause) {
    this.code = Objects.requireNonNull(code, "code");
    this.description = description;
    this.cause = cause;
  }

  /** The status for a wire code number. */
  public static Status fromCodeValue(int value) {
    return Code.fromValue(value).toStatus();
  }

  /** The status for a code. */
  public static Status fromCode(Code code) {
    return code.toStatus();
  }

  /**
   * The status carried by {@code t} or its causes ({@link StatusException},
   * {@link StatusRuntimeException}), else {@link #UNKNOWN} with {@code t} as the cause.
   */
  public static Status fromThrowable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StatusException) {
        return ((StatusException) c).getStatus();
      }
      if (c instanceof StatusRuntimeException) {
        return ((StatusRuntimeException) c).getStatus();
      }
    }
    return UNKNOWN.withCause(t);
  }

  /** The trailers carried by {@code t} or its causes, or null. */
  public static Metadata trailersFromThrowable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StatusException) {
        return ((StatusException) c).getTrailers();
      }
      if (c instanceof StatusRuntimeException) {
        return ((StatusRuntimeException) c).getTrailers();
      }
    }
    return null;
  }

  public Code getCode() {
    return code;
  }

  /** The description, or null. */
  public String getDescription() {
    return description;
  }

  /** The local cause, or null. Never sent to the peer. */
  public Throwable getCause() {
    return cause;
  }

  public boolean isOk() {
    return code == Code.OK;
  }

  /** This status with {@code description} replacing the current one. */
  public Status withDescription(String description) {
    return Objects.equals(this.description, description)
        ? this
        : new Status(code, description, cause);
  }

  /** This status with {@code cause} as its local cause. */
  public Status withCause(Throwable cause) {
    return this.cause == cause ? this : new Status(code, description, cause);
  }

  /** This status with {@code detail} appended to the description on a new line. */
  public Status augmentDescription(String detail) {
    if (detail == null) {
      return this;
    }
    return new Status(code, description == null ? detail : description + "\n" + detail, cause);
  }

  public StatusRuntimeException asRuntimeException() {
    return new StatusRuntimeException(this, null);
  }

  public StatusRuntimeException asRuntimeException(Metadata trailers) {
    return new StatusRuntimeException(this, trailers);
  }

  public StatusException asException() {
    return new StatusException(this, null);
  }

  public StatusException asException(Metadata trailers) {
    return new StatusException(this, trailers);
  }

  /** Statuses compare by identity only: compare {@link #getCode()} instead. */
  @Override
  public boolean equals(Object o) {
    return super.equals(o);
  }

  @Override
  public int hashCode() {
    return super.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Status{code=").append(code);
    if (description != null) {
      sb.append(", description=").append(description);
    }
    if (cause != null) {
      sb.append(", cause=").append(cause);
    }
    return sb.append('}').toString();
  }

  static String formatMessage(Status status) {
    return status.description == null
        ? status.code.toString()
        : status.code + ": " + status.description;
  }
}
