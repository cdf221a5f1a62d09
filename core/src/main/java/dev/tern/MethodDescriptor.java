package dev.tern;

import java.util.Objects;

/**
 * Describes one RPC method: its full name ({@code package.Service/Method}), its call type and the
 * marshallers of its request and response messages. Immutable.
 */
public final class MethodDescriptor<ReqT, RespT> {

  /** The four gRPC call types. */
  public enum MethodType {
    UNARY(false, false),
    CLIENT_STREAMING(true, false),
    SERVER_STREAMING(false, true),
    BIDI_STREAMING(true, true);

    private final boolean clientSendsMany;
    private final boolean serverSendsMany;

    MethodType(boolean clientSendsMany, boolean serverSendsMany) {
      this.clientSendsMany = clientSendsMany;
      this.serverSendsMany = serverSendsMany;
    }

    /** Whether the client sends exactly one message. */
    public boolean clientSendsOneMessage() {
      return !clientSendsMany;
    }

    /** Whether the server sends exactly one message. */
    public boolean serverSendsOneMessage() {
      return !serverSendsMany;
    }
  }

  private final String fullMethodName;
  private final String serviceName;
  private final String bareMethodName;
  private final MethodType type;
  private final Marshaller<ReqT> requestMarshaller;
  private final Marshaller<RespT> responseMarshaller;
  private final boolean idempotent;
  private final boolean safe;
  private final Object schemaDescriptor;
  private final String path;

  private MethodDescriptor(Builder<ReqT, RespT> b) {
    this.fullMethodName = Objects.requireNonNull(b.fullMethodName, "fullMethodName");
    int slash = fullMethodName.lastIndexOf('/');
    if (slash <= 0 || slash == fullMethodName.length() - 1) {
      throw new IllegalArgumentException("full method name must be Service/Method: "
          + fullMethodName);
    }
    this.serviceName = fullMethodName.substring(0, slash);
    this.bareMethodName = fullMethodName.substring(slash + 1);
    this.type = Objects.requireNonNull(b.type, "type");
    this.requestMarshaller = Objects.requireNonNull(b.requestMarshaller, "requestMarshaller");
    this.responseMarshaller = Objects.requireNonNull(b.responseMarshaller, "responseMarshaller");
    this.idempotent = b.idempotent;
    this.safe = b.safe;
    this.schemaDescriptor = b.schemaDescriptor;
    this.path = "/" + fullMethodName;
  }

  public static <ReqT, RespT> Builder<ReqT, RespT> newBuilder() {
    return new Builder<>();
  }

  public static <ReqT, RespT> Builder<ReqT, RespT> newBuilder(
      Marshaller<ReqT> requestMarshaller, Marshaller<RespT> responseMarshaller) {
    return new Builder<ReqT, RespT>()
        .setRequestMarshaller(requestMarshaller)
        .setResponseMarshaller(responseMarshaller);
  }

  /** {@code serviceName + "/" + methodName}. */
  public static String generateFullMethodName(String serviceName, String methodName) {
    return serviceName + "/" + methodName;
  }

  /** The service part of a full method name, or null if it has no slash. */
  public static String extractFullServiceName(String fullMethodName) {
    int slash = fullMethodName.lastIndexOf('/');
    return slash < 0 ? null : fullMethodName.substring(0, slash);
  }

  /** {@code package.Service/Method}. */
  public String getFullMethodName() {
    return fullMethodName;
  }

  /** {@code package.Service}. */
  public String getServiceName() {
    return serviceName;
  }

  /** {@code Method}. */
  public String getBareMethodName() {
    return bareMethodName;
  }

  /** The HTTP/2 {@code :path}: {@code /package.Service/Method}. */
  public String getPath() {
    return path;
  }

  public MethodType getType() {
    return type;
  }

  public Marshaller<ReqT> getRequestMarshaller() {
    return requestMarshaller;
  }

  public Marshaller<RespT> getResponseMarshaller() {
    return responseMarshaller;
  }

  public boolean isIdempotent() {
    return idempotent;
  }

  public boolean isSafe() {
    return safe;
  }

  /**
   * Optional schema information, or null. tern-codegen sets protobuf's
   * {@code Descriptors.MethodDescriptor}.
   */
  public Object getSchemaDescriptor() {
    return schemaDescriptor;
  }

  public Builder<ReqT, RespT> toBuilder() {
    return new Builder<ReqT, RespT>()
        .setFullMethodName(fullMethodName)
        .setType(type)
        .setRequestMarshaller(requestMarshaller)
        .setResponseMarshaller(responseMarshaller)
        .setIdempotent(idempotent)
        .setSafe(safe)
        .setSchemaDescriptor(schemaDescriptor);
  }

  @Override
  public String toString() {
    return "MethodDescriptor{" + fullMethodName + ", " + type + "}";
  }

  /** Builds a {@link MethodDescriptor}. Not thread-safe. */
  public static final class Builder<ReqT, RespT> {
    private String fullMethodName;
    private MethodType type;
    private Marshaller<ReqT> requestMarshaller;
    private Marshaller<RespT> responseMarshaller;
    private boolean idempotent;
    private boolean safe;
    private Object schemaDescriptor;

    private Builder() {}

    public Builder<ReqT, RespT> setFullMethodName(String fullMethodName) {
      this.fullMethodName = fullMethodName;
      return this;
    }

    public Builder<ReqT, RespT> setType(MethodType type) {
      this.type = type;
      return this;
    }

    public Builder<ReqT, RespT> setRequestMarshaller(Marshaller<ReqT> marshaller) {
      this.requestMarshaller = marshaller;
      return this;
    }

    public Builder<ReqT, RespT> setResponseMarshaller(Marshaller<RespT> marshaller) {
      this.responseMarshaller = marshaller;
      return this;
    }

    public Builder<ReqT, RespT> setIdempotent(boolean idempotent) {
      this.idempotent = idempotent;
      return this;
    }

    public Builder<ReqT, RespT> setSafe(boolean safe) {
      this.safe = safe;
      return this;
    }

    public Builder<ReqT, RespT> setSchemaDescriptor(Object schemaDescriptor) {
      this.schemaDescriptor = schemaDescriptor;
      return this;
    }

    public MethodDescriptor<ReqT, RespT> build() {
      return new MethodDescriptor<>(this);
    }
  }
}
