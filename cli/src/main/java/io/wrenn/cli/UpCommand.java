package io.wrenn.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;

import io.wrenn.hostagent.layout.Layout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `wrenn up`: embedded PostgreSQL, the control plane and one host agent, in the foreground. */
@Command(name = "up", description = "Run Wrenn on this machine (all-in-one) until Ctrl-C.")
final class UpCommand implements Callable<Integer> {
    @Option(names = "--port", description = "API port (default: $WRENN_PORT or 8080)")
    Integer port;

    @Option(names = "--bind", description = "API address (default: 127.0.0.1)", defaultValue = "127.0.0.1")
    String bind;

    @Option(names = "--agent", paramLabel = "HOST:PORT",
            description = "use a host agent started separately with `wrenn agent` on the same home"
                    + " (its VMs then outlive a restart of this process)")
    String agentAddress;

    @Override
    public Integer call() throws Exception {
        Layout layout = Layout.fromEnvironment();
        HomeFiles files = new HomeFiles(layout.home());
        int apiPort = port != null ? port : Integer.parseInt(System.getenv().getOrDefault("WRENN_PORT", "8080"));
        if (agentAddress != null && !agentAddress.matches("[A-Za-z0-9.\\-]+:\\d{1,5}")) {
            System.err.println("--agent must be HOST:PORT");
            return 2;
        }
        AllInOne wrenn = AllInOne.start(new AllInOne.Settings(layout, bind, apiPort,
                java.time.Duration.ofSeconds(5), agentAddress));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            System.out.println("Stopping Wrenn…");
            wrenn.close();
            stopped.countDown();
        }));
        // The key, like the password, is shown once, at the start that made it: a terminal's
        // scroll-back or a captured log of later starts does not hold it.
        String key = wrenn.apiKeyIsNew() ? wrenn.apiKey() : "(in " + files.apiKeyFile() + ")";
        String url = "http://" + bind + ":" + wrenn.apiPort();
        // The password is shown once, at the start that made it; later starts point to its file.
        String password = wrenn.adminPasswordIsNew() ? wrenn.adminPassword() : "(in " + files.adminPasswordFile() + ")";
        if (!wrenn.ready()) {
            System.out.println("\nWrenn started, but no host answers yet: creates answer 503 until one does (GET /health says when).");
        }
        System.out.printf("""

                Wrenn is up (%s, accelerator %s).
                  API       %s   (docs: %s/docs)
                  API key   %s   (saved in %s)
                  admin     %s   password %s   (saved in %s)
                  try       curl -H "X-API-Key: $(cat %s)" -d '{"template":"minimal"}' %s/v1/sandboxes

                Ctrl-C stops everything.
                %n""", layout.home(), wrenn.accelerator(), url, url, key, files.apiKeyFile(),
                wrenn.adminEmail(), password, files.adminPasswordFile(), files.apiKeyFile(), url);
        stopped.await();
        return 0;
    }
}
