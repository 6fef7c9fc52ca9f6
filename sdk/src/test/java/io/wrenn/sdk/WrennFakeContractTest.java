package io.wrenn.sdk;

import io.wrenn.sdk.testing.WrennFake;

/** The SDK's contract, held by the in-memory fake users test with. */
class WrennFakeContractTest extends SdkContract {
    private final WrennFake fake = new WrennFake();

    @Override
    protected Wrenn wrenn() {
        return fake;
    }

    @Override
    protected String template() {
        return "minimal";
    }
}
