package dev.tern;

/** An unchecked exception carrying a {@link Status} and optional trailers. Immutable. */
public final class StatusRuntimeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Status status;
  private final transient Metadata trailers;

  public StatusRuntimeException(Status status) {
    this(status, null);
  }

  public StatusRuntimeException(Status status, Metadata trailers) {
    super(Status.formatMessage(status), status.getCause(), true, true);
    this.status = status;
    this.trailers = trailers;
  }

  public Status getStatus() {
    return status;
  }

  /** The trailers that came with the status, or null. */
  public Metadata getTrailers() {
    return trailers;
  }
}
