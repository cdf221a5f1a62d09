package dev.tern.services;

import dev.tern.Status;
import dev.tern.services.health.v1.HealthCheckRequest;
import dev.tern.services.health.v1.HealthCheckResponse.ServingStatus;
import dev.tern.services.health.v1.HealthCheckResponse;
import dev.tern.services.health.v1.HealthListRequest;
import dev.tern.services.health.v1.HealthListResponse;
import dev.tern.services.health.v1.HealthTern;
import dev.tern.stub.ServerCallStreamObserver;
import dev.tern.stub.StreamObserver;
import java.util.Map;

/**
 * {@code grpc.health.v1.Health} over a {@link HealthStatusManager}. Stateless apart from the
 * manager; its methods run on the server's call executors, concurrently.
 */
final class HealthServiceImpl implements HealthTern.AsyncService {
  /** health.proto: "The maximum number of services to return is 100". */
  static final int MAX_LIST_SIZE = 100;

  private final HealthStatusManager manager;

  HealthServiceImpl(HealthStatusManager manager) {
    this.manager = manager;
  }

  @Override
  public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
    ServingStatus status = manager.status(request.getService());
    if (status == null) {
      response.onError(Status.NOT_FOUND
          .withDescription("unknown service " + request.getService()).asRuntimeException());
      return;
    }
    response.onNext(HealthCheckResponse.newBuilder().setStatus(status).build());
    response.onCompleted();
  }

  @Override
  public void list(HealthListRequest request, StreamObserver<HealthListResponse> response) {
    Map<String, ServingStatus> all = manager.snapshot();
    if (all.size() > MAX_LIST_SIZE) {
      response.onError(Status.RESOURCE_EXHAUSTED
          .withDescription(all.size() + " services, more than " + MAX_LIST_SIZE)
          .asRuntimeException());
      return;
    }
    HealthListResponse.Builder b = HealthListResponse.newBuilder();
    all.forEach((name, status) ->
        b.putStatuses(name, HealthCheckResponse.newBuilder().setStatus(status).build()));
    response.onNext(b.build());
    response.onCompleted();
  }

  @Override
  public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
    // Tern's server adapters always hand a ServerCallStreamObserver to service methods.
    ServerCallStreamObserver<HealthCheckResponse> out =
        (ServerCallStreamObserver<HealthCheckResponse>) response;
    String service = request.getService();
    HealthWatcher watcher = new HealthWatcher(out);
    out.setOnCancelHandler(() -> {
      watcher.close();
      manager.removeWatcher(service, watcher);
    });
    out.setOnReadyHandler(watcher::drain);
    manager.addWatcher(service, watcher);
    if (out.isCancelled()) {
      // Cancelled before the handler could see it: do not keep the watcher.
      watcher.close();
      manager.removeWatcher(service, watcher);
    }
  }
}
