package dev.tern.netty.internal;

import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Client-side health checking of one subchannel (gRFC A17): while its connection is READY, a
 * {@code grpc.health.v1.Health/Watch} stream for the configured service, whose answers set the
 * {@link Verdict}. UNIMPLEMENTED (the server has no health service) disables checking for the
 * subchannel, which then counts as healthy; any other end of the stream starts a new one after
 * a backoff (1 s doubling to 2 min, reset by an answer), the verdict PENDING meanwhile.
 * The two messages are encoded by hand (runtime modules do not depend on {@code tern-services}):
 * {@code HealthCheckRequest{string service = 1}}, {@code HealthCheckResponse{ServingStatus
 * status = 1}}.
 *
 * <p>Thread-safe: state under its monitor; the change callback is called outside it.
 */
final class HealthCheck {
  private static final System.Logger LOG = System.getLogger(HealthCheck.class.getName());
  /** grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING. */
  static final int SERVING = 1;
  private static final long FIRST_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.MINUTES.toNanos(2);

  static final MethodDescriptor<String, Integer> WATCH = MethodDescriptor.<String, Integer>newBuilder()
      .setFullMethodName("grpc.health.v1.Health/Watch")
      .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
      .setRequestMarshaller(new RequestMarshaller())
      .setResponseMarshaller(new ResponseMarshaller())
      .build();

  /** What the checks say about the subchannel. */
  enum Verdict { PENDING, SERVING, NOT_SERVING, DISABLED }

  private final ClientConnectionManager manager;
  private final String service;
  private final ClientSettings settings;
  private final ScheduledExecutorService scheduler;

  // Guarded by this.
  private Runnable onChange = () -> { };
  private Verdict verdict = Verdict.PENDING;
  private boolean active;
  private ClientCall<String, Integer> call;
  private ScheduledFuture<?> retry;
  private long backoffNanos = FIRST_BACKOFF_NANOS;

  HealthCheck(ClientConnectionManager manager, String service, ClientSettings settings,
      ScheduledExecutorService scheduler) {
    this.manager = manager;
    this.service = service;
    this.settings = settings;
    this.scheduler = scheduler;
  }

  synchronized void onChange(Runnable callback) {
    this.onChange = callback;
  }

  synchronized Verdict verdict() {
    return verdict;
  }

  /** The connection is READY: watch, unless already watching or disabled. */
  synchronized void connectionReady() {
    if (active || verdict == Verdict.DISABLED) {
      return;
    }
    active = true;
    startCall();
  }

  /** The connection is gone (or the subchannel shut down): stop watching. */
  void connectionLost() {
    ClientCall<String, Integer> old;
    synchronized (this) {
      if (!active) {
        return;
      }
      active = false;
      old = call;
      call = null;
      if (retry != null) {
        retry.cancel(false);
        retry = null;
      }
      if (verdict != Verdict.DISABLED) {
        verdict = Verdict.PENDING;
      }
    }
    if (old != null) {
      old.cancel("connection lost", null);
    }
  }

  private void startCall() { // holds this
    retry = null;
    ClientCall<String, Integer> c = new ClientCallImpl<>(WATCH, CallOptions.DEFAULT, settings,
        (m, o) -> manager.transport(false), scheduler);
    call = c;
    c.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(Integer status) {
        answered(c, status);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        ended(c, status);
      }
    }, new Metadata());
    c.sendMessage(service);
    c.halfClose();
    c.request(1);
  }

  private void answered(ClientCall<String, Integer> c, int status) {
    Runnable tell;
    synchronized (this) {
      if (c != call) {
        return;
      }
      backoffNanos = FIRST_BACKOFF_NANOS;
      verdict = status == SERVING ? Verdict.SERVING : Verdict.NOT_SERVING;
      tell = onChange;
    }
    c.request(1);
    tell.run();
  }

  private void ended(ClientCall<String, Integer> c, Status status) {
    Runnable tell;
    synchronized (this) {
      if (c != call) {
        return;
      }
      call = null;
      if (status.getCode() == Status.Code.UNIMPLEMENTED) {
        LOG.log(System.Logger.Level.WARNING, "{0} does not implement grpc.health.v1.Health;"
            + " health checking is disabled for it (gRFC A17)", manager);
        verdict = Verdict.DISABLED;
      } else {
        verdict = Verdict.PENDING;
        if (active) {
          long delay = backoffNanos;
          backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
          retry = scheduler.schedule(this::retry, delay, TimeUnit.NANOSECONDS);
        }
      }
      tell = onChange;
    }
    tell.run();
  }

  private synchronized void retry() {
    if (active && call == null) {
      startCall();
    }
  }

  /** {@code HealthCheckRequest}: field 1, the service name, length-delimited. */
  private static final class RequestMarshaller implements Marshaller<String> {
    @Override
    public void write(String value, ByteBuf out) {
      byte[] name = value.getBytes(StandardCharsets.UTF_8);
      if (name.length == 0) {
        return; // proto3: the default value is not written
      }
      out.writeByte(0x0A); // field 1, wire type 2
      writeVarint(out, name.length);
      out.writeBytes(name);
    }

    @Override
    public String parse(ByteBuf in) {
      throw new UnsupportedOperationException("client side only");
    }
  }

  /** {@code HealthCheckResponse}: field 1, the status, a varint; unknown fields skipped. */
  private static final class ResponseMarshaller implements Marshaller<Integer> {
    @Override
    public void write(Integer value, ByteBuf out) {
      throw new UnsupportedOperationException("client side only");
    }

    @Override
    public Integer parse(ByteBuf in) {
      int status = 0;
      while (in.isReadable()) {
        long tag = readVarint(in);
        int wireType = (int) (tag & 7);
        long field = tag >>> 3;
        switch (wireType) {
          case 0 -> {
            long v = readVarint(in);
            if (field == 1) {
              status = (int) v;
            }
          }
          case 1 -> skip(in, 8);
          case 2 -> skip(in, readVarint(in));
          case 5 -> skip(in, 4);
          default -> throw new IllegalArgumentException("bad wire type " + wireType);
        }
      }
      return status;
    }
  }

  private static void skip(ByteBuf in, long n) {
    if (n < 0 || n > in.readableBytes()) {
      throw new IllegalArgumentException("truncated HealthCheckResponse");
    }
    in.skipBytes((int) n);
  }

  static void writeVarint(ByteBuf out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  static long readVarint(ByteBuf in) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!in.isReadable()) {
        throw new IllegalArgumentException("truncated varint");
      }
      byte b = in.readByte();
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("varint too long");
  }
}
