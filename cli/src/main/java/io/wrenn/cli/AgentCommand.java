package io.wrenn.cli;

import io.wrenn.hostagent.HostAgentConfig;
import io.wrenn.hostagent.HostAgentServer;
import io.wrenn.hostagent.layout.Layout;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `wrenn agent`: a host agent on its own, for a control plane started with `wrenn up --agent`
 * (or on another machine). Stopping it leaves its VMs running; the next agent on the same home
 * adopts them, so an agent restart or upgrade never costs a sandbox.
 */
@Command(name = "agent", description = "Run a host agent only, until Ctrl-C (its VMs outlive it).")
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--bind", description = "gRPC address (default: 127.0.0.1)", defaultValue = "127.0.0.1")
    String bind;

    @Option(names = "--port", description = "gRPC port (default: 7070)", defaultValue = "7070")
    int port;

    @Option(names = "--accelerator", description = "auto, kvm or tcg (default: auto)", defaultValue = "auto")
    String accelerator;

    @Override
    public Integer call() throws Exception {
        Layout layout = Layout.fromEnvironment();
        HomeFiles files = new HomeFiles(layout.home());
        HostAgentConfig.AcceleratorChoice choice;
        try {
            choice = HostAgentConfig.AcceleratorChoice.valueOf(accelerator.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("--accelerator must be auto, kvm or tcg");
            return 2;
        }
        // The control plane authenticates to the agent with this secret; `wrenn up` on the same
        // home reads the same file.
        String secret = SecretFile.readOrCreateRandom(files.agentSecretFile());
        HostAgentServer agent = new HostAgentServer(HostAgentConfig.defaults(layout, secret)
                .withBind(bind, port)
                .withAccelerator(choice)
                .withShutdownPolicy(HostAgentConfig.ShutdownPolicy.LEAVE_RUNNING)
                .withEgress(AllInOne.egressFromEnvironment(System.getenv())))
                .exposeMetrics(SecretFile.agentMetricsPort(), SecretFile.metricsToken(files.metricsTokenFile()));
        String failpoint = System.getenv(Failpoint.VARIABLE);
        agent.start();
        if (failpoint != null && !failpoint.isBlank()) {
            agent.sandboxes().crashPoints(new Failpoint(failpoint.strip(), layout.home()));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            agent.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
