package io.wrenn.controlplane.e2b;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection after a protocol switch on a sandbox's port: Jetty hands it the end point
 * once the {@code 101} is out, and from then on its bytes go unchanged to the host agent's
 * tunnel and the tunnel's come back, each way on a virtual thread of its own (blocking on the
 * end point's callbacks). When either side ends, both connections close.
 */
final class TunnelConnection extends AbstractConnection {

    private static final Logger log = LoggerFactory.getLogger(TunnelConnection.class);
    private static final int BUFFER = 16 * 1024;
    /** A WebSocket may stay silent for long (clients ping well within this). */
    private static final Duration IDLE = Duration.ofMinutes(10);

    private final Socket agent;
    private final InputStream fromAgent;

    private final Runnable onClosed;

    /** @param onClosed run once the tunnel has ended */
    TunnelConnection(EndPoint endPoint, Executor executor, Socket agent, InputStream fromAgent, Runnable onClosed) {
        super(endPoint, executor);
        this.onClosed = onClosed;
        this.agent = agent;
        this.fromAgent = fromAgent;
    }

    @Override
    public void onOpen() {
        super.onOpen();
        getEndPoint().setIdleTimeout(IDLE.toMillis());
        Thread.ofVirtual().name("wrenn-tunnel-up").start(this::clientToAgent);
        Thread.ofVirtual().name("wrenn-tunnel-down").start(this::agentToClient);
    }

    private void clientToAgent() {
        ByteBuffer buffer = BufferUtil.allocate(BUFFER);
        try {
            OutputStream out = agent.getOutputStream();
            while (true) {
                BufferUtil.clear(buffer);
                int n = getEndPoint().fill(buffer);
                if (n < 0) {
                    agent.shutdownOutput();
                    return;
                }
                if (n == 0) {
                    FutureCallback readable = new FutureCallback();
                    getEndPoint().fillInterested(readable);
                    readable.get();
                    continue;
                }
                out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
                out.flush();
            }
        } catch (IOException | ExecutionException e) {
            log.debug("tunnel from the client ended: {}", e.toString());
            closeBoth();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeBoth();
        }
    }

    private void agentToClient() {
        byte[] buffer = new byte[BUFFER];
        try {
            int n;
            while ((n = fromAgent.read(buffer)) >= 0) {
                FutureCallback written = new FutureCallback();
                getEndPoint().write(written, ByteBuffer.wrap(buffer, 0, n));
                written.get();
            }
        } catch (IOException | ExecutionException e) {
            log.debug("tunnel from the sandbox ended: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeBoth();
    }

    private void closeBoth() {
        getEndPoint().close();
        try {
            agent.close();
        } catch (IOException ignored) {
            // closing is all there is to do
        }
    }

    @Override
    public void onFillable() {
        // Reads are driven by clientToAgent, which asks for readability itself.
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        onClosed.run();
        try {
            agent.close();
        } catch (IOException ignored) {
            // closing is all there is to do
        }
    }
}
