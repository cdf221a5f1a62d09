package dev.tern;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** A service's name and methods. Immutable. */
public final class ServiceDescriptor {
  private final String name;
  private final List<MethodDescriptor<?, ?>> methods;
  private final Object schemaDescriptor;

  private ServiceDescriptor(String name, List<MethodDescriptor<?, ?>> methods,
      Object schemaDescriptor) {
    this.name = Objects.requireNonNull(name, "name");
    this.methods = Collections.unmodifiableList(new ArrayList<>(methods));
    this.schemaDescriptor = schemaDescriptor;
    for (MethodDescriptor<?, ?> m : methods) {
      if (!m.getServiceName().equals(name)) {
        throw new IllegalArgumentException(
            "method " + m.getFullMethodName() + " is not in service " + name);
      }
    }
  }

  public static ServiceDescriptor of(String name, MethodDescriptor<?, ?>... methods) {
    return new ServiceDescriptor(name, List.of(methods), null);
  }

  public static Builder newBuilder(String name) {
    return new Builder(name);
  }

  /** {@code package.Service}. */
  public String getName() {
    return name;
  }

  public Collection<MethodDescriptor<?, ?>> getMethods() {
    return methods;
  }

  /**
   * Optional schema information, or null. tern-codegen sets protobuf's
   * {@code Descriptors.ServiceDescriptor} (its file holds the service's schema).
   */
  public Object getSchemaDescriptor() {
    return schemaDescriptor;
  }

  /** Builds a {@link ServiceDescriptor}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<MethodDescriptor<?, ?>> methods = new ArrayList<>();
    private Object schemaDescriptor;

    private Builder(String name) {
      this.name = name;
    }

    public Builder addMethod(MethodDescriptor<?, ?> method) {
      methods.add(method);
      return this;
    }

    public Builder setSchemaDescriptor(Object schemaDescriptor) {
      this.schemaDescriptor = schemaDescriptor;
      return this;
    }

    public ServiceDescriptor build() {
      return new ServiceDescriptor(name, methods, schemaDescriptor);
    }
  }
}
