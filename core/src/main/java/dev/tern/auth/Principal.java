package dev.tern.auth;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The authenticated caller of a call: a name, the roles it holds and free-form attributes (JWT
 * claims, certificate fields). Authentication interceptors put it into the call's
 * {@link dev.tern.Context} under {@link AuthContext#PRINCIPAL}; authorization and logging read it
 * there. Immutable and thread-safe.
 */
public final class Principal implements java.security.Principal {
  private final String name;
  private final Set<String> roles;
  private final Map<String, Object> attributes;

  private Principal(String name, Set<String> roles, Map<String, Object> attributes) {
    this.name = name;
    this.roles = roles;
    this.attributes = attributes;
  }

  /** A principal with {@code name} and {@code roles}. */
  public static Principal of(String name, String... roles) {
    return of(name, java.util.Arrays.asList(roles), Map.of());
  }

  /** A principal with {@code name}, {@code roles} and {@code attributes} (copied). */
  public static Principal of(
      String name, Collection<String> roles, Map<String, ?> attributes) {
    Objects.requireNonNull(name, "name");
    Set<String> r = new LinkedHashSet<>();
    for (String role : roles) {
      r.add(Objects.requireNonNull(role, "role"));
    }
    return new Principal(name, java.util.Collections.unmodifiableSet(r),
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes)));
  }

  /** The caller's name: a JWT subject, a certificate's common name, a user id. */
  @Override
  public String getName() {
    return name;
  }

  /** The roles the caller holds, for {@link RbacInterceptor}; unmodifiable. */
  public Set<String> roles() {
    return roles;
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  /** Other facts about the caller (claims, certificate fields); unmodifiable. */
  public Map<String, Object> attributes() {
    return attributes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Principal
        && ((Principal) o).name.equals(name)
        && ((Principal) o).roles.equals(roles)
        && ((Principal) o).attributes.equals(attributes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, roles, attributes);
  }

  @Override
  public String toString() {
    return "Principal{" + name + (roles.isEmpty() ? "" : ", roles=" + roles) + "}";
  }
}
