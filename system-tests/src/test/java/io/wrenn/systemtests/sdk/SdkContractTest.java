package io.wrenn.systemtests.sdk;

import io.wrenn.sdk.SdkContract;
import io.wrenn.sdk.Wrenn;
import io.wrenn.testkit.WrennFixture;
import org.junit.jupiter.api.Tag;

/**
 * The SDK's contract against a real Wrenn with real VMs: one sandbox is booted cold and
 * snapshotted, every sandbox of the suite is restored from that snapshot.
 */
@Tag("vm")
class SdkContractTest extends SdkContract {
    private static final String BASE = "sdk-contract-base";

    private WrennFixture fixture;
    private Wrenn wrenn;
    private boolean snapshotted;

    @Override
    protected void start() {
        fixture = WrennFixture.start();
        wrenn = Wrenn.builder().url("http://127.0.0.1:" + fixture.apiPort()).apiKey(fixture.wrenn().apiKey()).build();
        BaseSnapshot.make(wrenn, BASE);
        snapshotted = true;
    }

    @Override
    protected void stop() {
        try {
            if (snapshotted) {
                wrenn.templates().delete(BASE);
            }
            if (wrenn != null) {
                wrenn.close();
            }
        } finally {
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    @Override
    protected Wrenn wrenn() {
        return wrenn;
    }

    @Override
    protected String template() {
        return BASE;
    }
}
