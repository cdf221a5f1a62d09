package dev.tern.auth;

import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;
import dev.tern.internal.MethodPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Role-based access control per method: a call goes on only if a rule allows its caller (the
 * {@link AuthContext#PRINCIPAL} an authentication interceptor further out put into the Context)
 * to call its method; otherwise it ends with PERMISSION_DENIED and never reaches the handler.
 * Calls are denied unless allowed.
 *
 * <p>Rules name a role or a principal and the methods they may call, as {@code service/method}
 * patterns in which {@code *} matches anything: {@code "*"}, {@code "shop.Orders/*"},
 * {@code "shop.Orders/Get*"}.
 *
 * <pre>{@code
 * RbacInterceptor rbac = RbacInterceptor.builder()
 *     .allowRole("admin", "*")
 *     .allowRole("reader", "shop.Orders/Get*", "shop.Orders/List*")
 *     .allowPrincipal("billing-service", "shop.Orders/Refund")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class RbacInterceptor implements ServerInterceptor {
  private final List<Rule> rules;

  private RbacInterceptor(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether {@code principal} (null for an anonymous caller) may call {@code fullMethodName}. */
  public boolean isAllowed(Principal principal, String fullMethodName) {
    for (Rule rule : rules) {
      if (rule.appliesTo(principal) && rule.pattern.matches(fullMethodName)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (!isAllowed(AuthContext.PRINCIPAL.get(), method)) {
      return Rejection.reject(call,
          Status.PERMISSION_DENIED.withDescription("Not allowed to call " + method));
    }
    return next.startCall(call, headers);
  }

  private enum Kind { ROLE, PRINCIPAL, AUTHENTICATED, ANYONE }

  private static final class Rule {
    final Kind kind;
    final String subject;
    final MethodPattern pattern;

    Rule(Kind kind, String subject, MethodPattern pattern) {
      this.kind = kind;
      this.subject = subject;
      this.pattern = pattern;
    }

    boolean appliesTo(Principal p) {
      switch (kind) {
        case ANYONE:
          return true;
        case AUTHENTICATED:
          return p != null;
        case ROLE:
          return p != null && p.hasRole(subject);
        default:
          return p != null && p.getName().equals(subject);
      }
    }
  }

  /** Collects rules. Not thread-safe. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();

    private Builder() {}

    /** Callers holding {@code role} may call methods matching any of {@code methodPatterns}. */
    public Builder allowRole(String role, String... methodPatterns) {
      return add(Kind.ROLE, Objects.requireNonNull(role, "role"), methodPatterns);
    }

    /** The caller named {@code name} may call methods matching any of {@code methodPatterns}. */
    public Builder allowPrincipal(String name, String... methodPatterns) {
      return add(Kind.PRINCIPAL, Objects.requireNonNull(name, "name"), methodPatterns);
    }

    /** Any authenticated caller may call methods matching any of {@code methodPatterns}. */
    public Builder allowAuthenticated(String... methodPatterns) {
      return add(Kind.AUTHENTICATED, null, methodPatterns);
    }

    /** Everyone, even anonymous callers, may call these methods (health checks, reflection). */
    public Builder allowAnyone(String... methodPatterns) {
      return add(Kind.ANYONE, null, methodPatterns);
    }

    private Builder add(Kind kind, String subject, String... patterns) {
      if (patterns.length == 0) {
        throw new IllegalArgumentException("no method patterns");
      }
      for (String p : patterns) {
        rules.add(new Rule(kind, subject, MethodPattern.compile(p)));
      }
      return this;
    }

    public RbacInterceptor build() {
      return new RbacInterceptor(rules);
    }
  }
}
