package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BdpEstimatorTest {
  private static final int MIB = 1 << 20;
  private long now;
  private final BdpEstimator bdp = new BdpEstimator(MIB, 8 * MIB, () -> now);

  /** One estimate: a PING, {@code consumed} bytes drained, the ACK after {@code rttMillis}. */
  private int sample(int consumed, long rttMillis) {
    assertTrue(bdp.dataReceived(), "a PING is sent");
    bdp.bytesConsumed(consumed);
    now += TimeUnit.MILLISECONDS.toNanos(rttMillis);
    return bdp.pingAcked();
  }

  @Test
  void onePingAtATime() {
    assertTrue(bdp.dataReceived());
    assertFalse(bdp.dataReceived());
    bdp.pingAcked();
    assertTrue(bdp.dataReceived());
  }

  @Test
  void windowDoublesTheSampleWhenTheWindowIsTheBottleneck() {
    assertEquals(2 * 900_000, sample(900_000, 50));
    assertEquals(2 * 900_000, bdp.window());
  }

  @Test
  void smallSamplesLeaveTheWindowAlone() {
    assertEquals(0, sample(MIB / 2, 50), "half a window per round trip: not the bottleneck");
    assertEquals(MIB, bdp.window());
  }

  @Test
  void growthNeedsRisingBandwidth() {
    assertEquals(2 * MIB, sample(MIB, 50));
    assertEquals(0, sample(MIB * 3 / 2, 100), "fills 2/3 of the window but no faster");
    assertEquals(4 * MIB, sample(2 * MIB, 50));
  }

  @Test
  void windowStopsAtTheMaximum() {
    assertEquals(2 * MIB, sample(MIB, 10));
    assertEquals(4 * MIB, sample(2 * MIB, 10));
    assertEquals(8 * MIB, sample(4 * MIB, 10));
    assertEquals(0, sample(8 * MIB, 5));
    assertEquals(8 * MIB, bdp.window());
  }

  @Test
  void aReaderThatConsumesNothingNeverGrowsTheWindow() {
    // Data keeps arriving (the peer fills the window) but the application reads none of it.
    for (int i = 0; i < 10; i++) {
      assertEquals(0, sample(0, 1));
    }
    assertEquals(MIB, bdp.window());
  }
}
