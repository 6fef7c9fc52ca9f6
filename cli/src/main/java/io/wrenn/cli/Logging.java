package io.wrenn.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;

/** Routes java.util.logging (gRPC's) into SLF4J so there is one log stream. */
final class Logging {
    private Logging() {}

    static void install() {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }
}
