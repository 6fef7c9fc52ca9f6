package io.wrenn.hostagent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.wrenn.hostagent.vm.VmControl.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM that QEMU stopped on a write its full disk refused goes on at a reaper pass once there is
 * room (this test's temporary filesystem has it); one that an operation holds is left to it.
 */
class DiskFullStopsTest {

    @TempDir
    Path home;
    private FakeHost host;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeHost(home);
        assertThat(Files.getFileStore(home).getUsableSpace()).as("room on the test's filesystem")
                .isGreaterThan(DiskFullStops.ROOM_BYTES);
    }

    @Test
    void aVmStoppedOnAFullDiskGoesOnOnceThereIsRoomAndABusyOneIsLeftAlone() {
        String stopped = host.boot();
        String busy = host.boot();
        host.vms.states.put(host.layout.sandboxQmpSocket(stopped), RunState.IO_ERROR);
        host.vms.states.put(host.layout.sandboxQmpSocket(busy), RunState.IO_ERROR);
        Sandbox held = host.agent.running(busy);
        Thread holder = Thread.ofPlatform().start(() -> {
            held.lock.lock();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // released below
            } finally {
                held.lock.unlock();
            }
        });
        org.awaitility.Awaitility.await().until(held.lock::isLocked);
        try {
            host.agent.reap();

            assertThat(host.vm(stopped)).isEqualTo(RunState.RUNNING);
            assertThat(host.vm(busy)).as("held by an operation").isEqualTo(RunState.IO_ERROR);
        } finally {
            holder.interrupt();
        }
        org.awaitility.Awaitility.await().until(() -> !held.lock.isLocked());
        for (int pass = 0; pass < 5; pass++) {
            host.agent.reap(); // every fifth pass looks
        }
        assertThat(host.vm(busy)).isEqualTo(RunState.RUNNING);
    }
}
