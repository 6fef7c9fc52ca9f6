package io.wrenn.controlplane.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.wrenn.api.ErrorCode;
import io.wrenn.controlplane.http.ApiException;
import org.junit.jupiter.api.Test;

/** A full disk, the host's or the sandbox's own, is 507 disk_full; other exhausted resources stay "no host". */
class AgentErrorsTest {

    private static ApiException of(Status status) {
        return AgentErrors.toApi(status.asException(), ErrorCode.SANDBOX_NOT_FOUND);
    }

    @Test
    void aFullDiskIsDiskFullWithTheHostsWords() {
        ApiException host = of(Status.RESOURCE_EXHAUSTED.withDescription("the host's disk is full: the sandbox could not be paused and runs on"));
        assertThat(host.code()).isEqualTo(ErrorCode.DISK_FULL);
        assertThat(host.code().httpStatus()).isEqualTo(507);
        assertThat(host.getMessage()).contains("runs on");
        ApiException guest = of(Status.RESOURCE_EXHAUSTED.withDescription("write /home/user/big: not enough disk space in the sandbox"));
        assertThat(guest.code()).isEqualTo(ErrorCode.DISK_FULL);
    }

    @Test
    void otherExhaustedResourcesAreNoHostAvailable() {
        assertThat(of(Status.RESOURCE_EXHAUSTED.withDescription("no free network slot on this host")).code())
                .isEqualTo(ErrorCode.NO_HOST_AVAILABLE);
        assertThat(of(Status.RESOURCE_EXHAUSTED).code()).isEqualTo(ErrorCode.NO_HOST_AVAILABLE);
    }
}
