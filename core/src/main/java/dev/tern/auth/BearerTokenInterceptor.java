package dev.tern.auth;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.ForwardingClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Authenticates calls by an OAuth 2.0 bearer token ({@code authorization: Bearer <token>},
 * RFC 6750 section 2.1): the {@link TokenVerifier} turns the token into a {@link Principal}, which
 * the rest of the call sees as {@link AuthContext#PRINCIPAL}. A call with no token, a malformed
 * header or a rejected token ends with UNAUTHENTICATED and never reaches the next interceptor or
 * the handler.
 *
 * <pre>{@code
 * TernServer.builder().intercept(BearerTokenInterceptor.create(token -> users.lookup(token)))
 * }</pre>
 *
 * <p>{@link #client} is the matching client side. Thread-safe.
 */
public final class BearerTokenInterceptor implements ServerInterceptor {
  /** The {@code authorization} request header. */
  public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.ascii("authorization");

  private static final System.Logger LOG =
      System.getLogger(BearerTokenInterceptor.class.getName());
  private static final String SCHEME = "Bearer";

  private final TokenVerifier verifier;

  private BearerTokenInterceptor(TokenVerifier verifier) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
  }

  public static BearerTokenInterceptor create(TokenVerifier verifier) {
    return new BearerTokenInterceptor(verifier);
  }

  /**
   * A client interceptor that sends {@code authorization: Bearer <token>} on every call, asking
   * {@code tokens} for the token each time (so it may refresh). A null token sends no header.
   */
  public static ClientInterceptor client(Supplier<String> tokens) {
    Objects.requireNonNull(tokens, "tokens");
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, callOptions)) {
          @Override
          public void start(Listener<RespT> responseListener, Metadata headers) {
            String token = tokens.get();
            if (token != null) {
              headers.put(AUTHORIZATION, SCHEME + " " + token);
            }
            super.start(responseListener, headers);
          }
        };
      }
    };
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String token = token(headers.get(AUTHORIZATION));
    if (token == null) {
      return Rejection.reject(call,
          Status.UNAUTHENTICATED.withDescription("Missing or malformed bearer token"));
    }
    Principal principal;
    try {
      principal = verifier.verify(token);
    } catch (StatusException | StatusRuntimeException e) {
      return Rejection.reject(call, Status.fromThrowable(e));
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "Bearer token rejected for "
          + call.getMethodDescriptor().getFullMethodName() + ": " + e, e);
      principal = null;
    }
    if (principal == null) {
      return Rejection.reject(call, Status.UNAUTHENTICATED.withDescription("Invalid bearer token"));
    }
    Context context = Context.current().withValue(AuthContext.PRINCIPAL, principal);
    return Contexts.interceptCall(context, call, headers, next);
  }

  /** The token of a {@code Bearer} credential; the scheme is case-insensitive (RFC 7235 2.1). */
  private static String token(String authorization) {
    if (authorization == null || authorization.length() <= SCHEME.length() + 1
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
        || authorization.charAt(SCHEME.length()) != ' ') {
      return null;
    }
    String token = authorization.substring(SCHEME.length() + 1).trim();
    return token.isEmpty() ? null : token;
  }
}
