package dev.tern.examples.spring;

import dev.tern.Status;
import dev.tern.examples.spring.v1.GetOrderRequest;
import dev.tern.examples.spring.v1.Order;
import dev.tern.examples.spring.v1.OrderServiceTern;
import dev.tern.spring.TernService;
import dev.tern.stub.StreamObserver;

/**
 * The gRPC service, a bean like any other: {@code @TernService} makes it a component that the
 * starter adds to the Tern server. Its handler runs on the server's executor
 * ({@code tern.server.executor=pool}), so it may block on the repository. Stateless, so
 * thread-safe.
 */
@TernService
public class OrderLookupService extends OrderServiceTern.OrderServiceImplBase {
  private final OrderRepository repository;

  public OrderLookupService(OrderRepository repository) {
    this.repository = repository;
  }

  /** Unary: the order, or NOT_FOUND naming the id. */
  @Override
  public void getOrder(GetOrderRequest request, StreamObserver<Order> responseObserver) {
    repository.find(request.getId()).ifPresentOrElse(order -> {
      responseObserver.onNext(order);
      responseObserver.onCompleted();
    }, () -> responseObserver.onError(
        Status.NOT_FOUND.withDescription("no order " + request.getId()).asRuntimeException()));
  }
}
