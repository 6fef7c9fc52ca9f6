package io.wrenn.embeddeddb;

import java.nio.file.Path;

/** Starts an embedded PostgreSQL and waits to be killed: a control plane that crashes. */
public final class StartAndHang {

    public static void main(String[] args) throws InterruptedException {
        EmbeddedDatabase.start(Path.of(args[0]));
        System.out.println("started");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
