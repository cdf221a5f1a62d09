package dev.tern;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A service's methods bound to their handlers, ready to add to a server. Immutable. Generated
 * service bases produce one through {@code bindService()}.
 */
public final class ServerServiceDefinition {
  private final ServiceDescriptor descriptor;
  private final Map<String, ServerMethodDefinition<?, ?>> methods;

  private ServerServiceDefinition(
      ServiceDescriptor descriptor, Map<String, ServerMethodDefinition<?, ?>> methods) {
    this.descriptor = descriptor;
    this.methods = Collections.unmodifiableMap(new LinkedHashMap<>(methods));
  }

  public static Builder builder(String serviceName) {
    return new Builder(serviceName, null);
  }

  public static Builder builder(ServiceDescriptor descriptor) {
    return new Builder(descriptor.getName(), descriptor);
  }

  public ServiceDescriptor getServiceDescriptor() {
    return descriptor;
  }

  public Collection<ServerMethodDefinition<?, ?>> getMethods() {
    return methods.values();
  }

  /** The definition for a full method name, or null. */
  public ServerMethodDefinition<?, ?> getMethod(String fullMethodName) {
    return methods.get(fullMethodName);
  }

  /** Builds a {@link ServerServiceDefinition}. Not thread-safe. */
  public static final class Builder {
    private final String serviceName;
    private final ServiceDescriptor descriptor;
    private final Map<String, ServerMethodDefinition<?, ?>> methods = new LinkedHashMap<>();

    private Builder(String serviceName, ServiceDescriptor descriptor) {
      this.serviceName = serviceName;
      this.descriptor = descriptor;
    }

    public <ReqT, RespT> Builder addMethod(
        MethodDescriptor<ReqT, RespT> method, ServerCallHandler<ReqT, RespT> handler) {
      return addMethod(ServerMethodDefinition.create(method, handler));
    }

    public <ReqT, RespT> Builder addMethod(ServerMethodDefinition<ReqT, RespT> def) {
      MethodDescriptor<ReqT, RespT> m = def.getMethodDescriptor();
      if (!serviceName.equals(m.getServiceName())) {
        throw new IllegalArgumentException(
            "method " + m.getFullMethodName() + " is not in service " + serviceName);
      }
      if (methods.putIfAbsent(m.getFullMethodName(), def) != null) {
        throw new IllegalStateException("duplicate method " + m.getFullMethodName());
      }
      return this;
    }

    public ServerServiceDefinition build() {
      ServiceDescriptor d = descriptor;
      if (d == null) {
        ServiceDescriptor.Builder b = ServiceDescriptor.newBuilder(serviceName);
        for (ServerMethodDefinition<?, ?> def : methods.values()) {
          b.addMethod(def.getMethodDescriptor());
        }
        d = b.build();
      } else {
        for (MethodDescriptor<?, ?> m : d.getMethods()) {
          if (!methods.containsKey(m.getFullMethodName())) {
            throw new IllegalStateException("no handler for " + m.getFullMethodName());
          }
        }
      }
      return new ServerServiceDefinition(d, methods);
    }
  }
}
