package io.wrenn.cli.commands;

import io.wrenn.sdk.Wrenn;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** A verb that does the same to each id or name it is given, in order, stopping at the first failure. */
abstract class EachName implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Parameters(paramLabel = "NAME", arity = "1..*") List<String> names;

    abstract void apply(Wrenn wrenn, String name);

    @Override
    public Integer call() {
        try (Wrenn wrenn = client.client()) {
            for (String name : names) {
                apply(wrenn, name);
            }
        }
        return 0;
    }
}
