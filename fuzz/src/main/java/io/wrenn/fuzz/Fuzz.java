package io.wrenn.fuzz;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Runs a property over generated inputs. Each run draws a new seed, so the suite covers new
 * inputs every time it runs; a failure names the seed and the input, and
 * {@code -Dwrenn.fuzz.seed=SEED} runs the same inputs again. {@code -Dwrenn.fuzz.scale=N}
 * multiplies every property's tries, for a longer hunt than the suite's.
 */
public final class Fuzz {

    private Fuzz() {
    }

    /** Checks {@code property} on {@code tries} inputs of {@code inputs}. */
    public static <T> void check(int tries, Gen<T> inputs, Consumer<? super T> property) {
        long seed = seed();
        SplittableRandom random = new SplittableRandom(seed);
        for (int attempt = 0; attempt < scaled(tries); attempt++) {
            T input = inputs.next(random);
            try {
                property.accept(input);
            } catch (Throwable failure) {
                throw new AssertionError("failed on try " + (attempt + 1) + " with input " + describe(input)
                        + "; run again with -Dwrenn.fuzz.seed=" + seed + ": " + failure.getMessage(), failure);
            }
        }
    }

    /** Checks {@code property} on {@code tries} pairs of inputs. */
    public static <A, B> void check(int tries, Gen<A> first, Gen<B> second, BiConsumer<? super A, ? super B> property) {
        check(tries, Gen.combine(first, second, Pair::new), pair -> property.accept(pair.first(), pair.second()));
    }

    private record Pair<A, B>(A first, B second) {
        @Override
        public String toString() {
            return "(" + describe(first) + ", " + describe(second) + ")";
        }
    }

    private static long seed() {
        String given = System.getProperty("wrenn.fuzz.seed", "");
        return given.isBlank() ? new SplittableRandom().nextLong() : Long.parseLong(given.strip());
    }

    private static int scaled(int tries) {
        return (int) Math.max(1, tries * Double.parseDouble(System.getProperty("wrenn.fuzz.scale", "1")));
    }

    /** The input, escaped so that control characters show, and cut to a readable length. */
    static String describe(Object input) {
        String text = switch (input) {
            case null -> "null";
            case byte[] bytes -> bytes.length + " bytes " + Arrays.toString(Arrays.copyOf(bytes, Math.min(bytes.length, 200)));
            case Pair<?, ?> pair -> pair.toString();
            default -> '"' + escaped(input.toString()) + '"';
        };
        return text.length() <= 600 ? text : text.substring(0, 600) + "… (" + text.length() + " characters)";
    }

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 2000));
        for (int i = 0; i < text.length() && out.length() < 2000; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
