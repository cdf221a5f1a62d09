package dev.tern.netty.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The live attempts of one call, oldest first, for its {@link RetriableCall}: the usual single
 * attempt in a field, the others (hedges) in a list made only when a second is live, so a call
 * that never hedges allocates nothing for them. A base class rather than a member, for the same
 * reason.
 *
 * <p>Not thread-safe: used under the engine's monitor.
 */
abstract class LiveAttempts {
  private ClientAttempt firstLive;
  private ArrayList<ClientAttempt> otherLive;

  final int liveCount() {
    return (firstLive == null ? 0 : 1) + (otherLive == null ? 0 : otherLive.size());
  }

  final ClientAttempt liveAt(int i) {
    return i == 0 && firstLive != null ? firstLive
        : otherLive.get(firstLive == null ? i : i - 1);
  }

  final boolean isLiveAttempt(ClientAttempt a) {
    return firstLive == a || (otherLive != null && otherLive.contains(a));
  }

  final void addLive(ClientAttempt a) {
    if (firstLive == null && liveCount() == 0) {
      firstLive = a;
    } else {
      if (otherLive == null) {
        otherLive = new ArrayList<>(2);
      }
      otherLive.add(a);
    }
  }

  final boolean removeLive(ClientAttempt a) {
    if (firstLive == a) {
      firstLive = otherLive == null || otherLive.isEmpty() ? null : otherLive.remove(0);
      return true;
    }
    return otherLive != null && otherLive.remove(a);
  }

  final void clearLive() {
    firstLive = null;
    if (otherLive != null) {
      otherLive.clear();
    }
  }

  /** Removes and returns every live attempt (null if none). */
  final List<ClientAttempt> takeAllLive() {
    int n = liveCount();
    if (n == 0) {
      return null;
    }
    List<ClientAttempt> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(liveAt(i));
    }
    clearLive();
    return out;
  }
}
