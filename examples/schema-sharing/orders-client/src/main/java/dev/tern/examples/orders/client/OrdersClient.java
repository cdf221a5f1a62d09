package dev.tern.examples.orders.client;

import dev.tern.Channel;
import dev.tern.examples.orders.v1.Order;
import dev.tern.examples.orders.v1.OrderServiceTern;
import dev.tern.examples.orders.v1.OrderState;
import dev.tern.examples.orders.v1.OrderUpdate;
import dev.tern.examples.orders.v1.PlaceOrderRequest;
import dev.tern.examples.orders.v1.WatchOrderRequest;
import dev.tern.stub.CloseableIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client of orders-schema 1.0.0's OrderService, through the blocking stub this module
 * generated from the schema jar. Thread-safe: it holds only the channel, and stubs are immutable.
 */
public final class OrdersClient {
  private static final long DEADLINE_SECONDS = 10;

  private final Channel channel;

  public OrdersClient(Channel channel) {
    this.channel = channel;
  }

  /** Unary: places an order and returns it as the service stored it. */
  public Order placeOrder(String item, int quantity) {
    return OrderServiceTern.newBlockingStub(channel)
        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
        .placeOrder(PlaceOrderRequest.newBuilder().setItem(item).setQuantity(quantity).build());
  }

  /** Server streaming: the states the order went through, in the order the service sent them. */
  public List<OrderState> watchOrder(String id) {
    List<OrderState> states = new ArrayList<>();
    try (CloseableIterator<OrderUpdate> updates =
        OrderServiceTern.newBlockingStub(channel)
            .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
            .watchOrder(WatchOrderRequest.newBuilder().setId(id).build())) {
      while (updates.hasNext()) {
        states.add(updates.next().getState());
      }
    }
    return states;
  }
}
