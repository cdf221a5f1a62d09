package dev.tern.netty.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The transport's threads: chooses the I/O implementation (native epoll on Linux when its jar is
 * present and loads, NIO otherwise) and makes the default callback executor. Stateless and
 * thread-safe.
 */
public final class EventLoops {
  private static final boolean EPOLL = epollAvailable();

  private EventLoops() {}

  private static boolean epollAvailable() {
    if (Boolean.getBoolean("tern.noNative")) {
      return false;
    }
    try {
      Class.forName("io.netty.channel.epoll.Epoll");
      return Native.available();
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Whether native epoll is in use. */
  public static boolean isNative() {
    return EPOLL;
  }

  /** A new event loop group of {@code threads} daemon threads named {@code name-N}. */
  public static EventLoopGroup newGroup(int threads, String name) {
    IoHandlerFactory factory = EPOLL ? Native.factory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
  }

  /**
   * A new default executor for application callbacks ({@link CallbackPool}): a core of two
   * threads per processor, grown only while every thread is blocked.
   */
  public static ExecutorService newCallbackPool(ThreadFactory threads) {
    return new CallbackPool(2 * Runtime.getRuntime().availableProcessors(), threads);
  }

  public static Class<? extends ServerChannel> serverChannelType() {
    return EPOLL ? Native.serverChannel() : NioServerSocketChannel.class;
  }

  public static Class<? extends io.netty.channel.Channel> channelType() {
    return EPOLL ? Native.channel() : NioSocketChannel.class;
  }

  /**
   * The client channel type for {@code address}: a Unix domain socket channel for a
   * {@link java.net.UnixDomainSocketAddress} (epoll only), else {@link #channelType()}.
   */
  public static Class<? extends io.netty.channel.Channel> channelType(
      java.net.SocketAddress address) {
    if (address instanceof java.net.UnixDomainSocketAddress) {
      requireNativeForUnix(address);
      return Native.domainChannel();
    }
    return channelType();
  }

  /** The server channel type for {@code address}, as {@link #channelType(java.net.SocketAddress)}. */
  public static Class<? extends ServerChannel> serverChannelType(java.net.SocketAddress address) {
    if (address instanceof java.net.UnixDomainSocketAddress) {
      requireNativeForUnix(address);
      return Native.domainServerChannel();
    }
    return serverChannelType();
  }

  /** {@code address} as Netty's transports take it (a Unix path becomes Netty's own type). */
  public static java.net.SocketAddress toNetty(java.net.SocketAddress address) {
    if (address instanceof java.net.UnixDomainSocketAddress unix) {
      requireNativeForUnix(address);
      return Native.domainAddress(unix.getPath().toString());
    }
    return address;
  }

  private static void requireNativeForUnix(java.net.SocketAddress address) {
    if (!EPOLL) {
      throw new IllegalStateException("Unix domain socket " + address + " needs Netty's native"
          + " epoll transport (Linux, netty-transport-native-epoll on the class path, and"
          + " -Dtern.noNative unset), which is not available here");
    }
  }

  /** Keeps epoll classes out of reach unless the native jar is on the class path. */
  private static final class Native {
    static boolean available() {
      return io.netty.channel.epoll.Epoll.isAvailable();
    }

    static IoHandlerFactory factory() {
      return io.netty.channel.epoll.EpollIoHandler.newFactory();
    }

    static Class<? extends ServerChannel> serverChannel() {
      return io.netty.channel.epoll.EpollServerSocketChannel.class;
    }

    static Class<? extends io.netty.channel.Channel> channel() {
      return io.netty.channel.epoll.EpollSocketChannel.class;
    }

    static Class<? extends io.netty.channel.Channel> domainChannel() {
      return io.netty.channel.epoll.EpollDomainSocketChannel.class;
    }

    static Class<? extends ServerChannel> domainServerChannel() {
      return io.netty.channel.epoll.EpollServerDomainSocketChannel.class;
    }

    static java.net.SocketAddress domainAddress(String path) {
      return new io.netty.channel.unix.DomainSocketAddress(path);
    }
  }
}
