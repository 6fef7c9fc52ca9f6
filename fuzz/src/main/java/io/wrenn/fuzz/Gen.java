package io.wrenn.fuzz;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * A generator of test inputs: a function of a seeded random source, so that a failing input is
 * found again by running with the same seed ({@link Fuzz}). Numbers and lengths lean towards
 * their edges (zero, one, the extremes), where parsers break most often.
 */
@FunctionalInterface
public interface Gen<T> {

    T next(RandomGenerator random);

    default <R> Gen<R> map(Function<? super T, ? extends R> function) {
        return random -> function.apply(next(random));
    }

    default <R> Gen<R> flatMap(Function<? super T, Gen<R>> function) {
        return random -> function.apply(next(random)).next(random);
    }

    /** Values that {@code keep} accepts; fails the test if a thousand draws in a row are refused. */
    default Gen<T> filter(Predicate<? super T> keep) {
        return random -> {
            for (int draw = 0; draw < 1000; draw++) {
                T value = next(random);
                if (keep.test(value)) {
                    return value;
                }
            }
            throw new IllegalStateException("a generator's filter refused a thousand values in a row");
        };
    }

    /** Lists of up to {@code maxSize} values. */
    default Gen<List<T>> list(int maxSize) {
        return list(0, maxSize);
    }

    /** Lists of {@code minSize} to {@code maxSize} values. */
    default Gen<List<T>> list(int minSize, int maxSize) {
        return random -> {
            int size = length(random, minSize, maxSize);
            List<T> values = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                values.add(next(random));
            }
            return values;
        };
    }

    static <A, B, R> Gen<R> combine(Gen<A> first, Gen<B> second, BiFunction<? super A, ? super B, ? extends R> function) {
        return random -> function.apply(first.next(random), second.next(random));
    }

    /** Always {@code value} (which may be null). */
    static <T> Gen<T> constant(T value) {
        return random -> value;
    }

    /** One of {@code values} (null among them stands for an absent input). */
    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        return of(Arrays.asList(values));
    }

    static <T> Gen<T> of(List<T> values) {
        List<T> copy = new ArrayList<>(values);
        return random -> copy.get(random.nextInt(copy.size()));
    }

    /** A value of one of {@code generators}, each as likely. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... generators) {
        return random -> generators[random.nextInt(generators.length)].next(random);
    }

    /** A value of {@code first} or {@code second}, in the proportions of their weights. */
    static <T> Gen<T> weighted(int firstWeight, Gen<? extends T> first, int secondWeight, Gen<? extends T> second) {
        return random -> random.nextInt(firstWeight + secondWeight) < firstWeight ? first.next(random) : second.next(random);
    }

    static <T> Gen<T> weighted(int firstWeight, Gen<? extends T> first, int secondWeight, Gen<? extends T> second,
                               int thirdWeight, Gen<? extends T> third) {
        return random -> {
            int draw = random.nextInt(firstWeight + secondWeight + thirdWeight);
            return draw < firstWeight ? first.next(random)
                    : draw < firstWeight + secondWeight ? second.next(random) : third.next(random);
        };
    }

    static Gen<Boolean> booleans() {
        return RandomGenerator::nextBoolean;
    }

    /** Integers from {@code min} to {@code max}, both included. */
    static Gen<Integer> ints(int min, int max) {
        return random -> switch (random.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            default -> (int) random.nextLong(min, (long) max + 1);
        };
    }

    static Gen<Integer> ints() {
        return random -> random.nextInt(4) == 0
                ? new int[] {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}[random.nextInt(5)]
                : random.nextInt();
    }

    static Gen<Long> longs() {
        return random -> random.nextInt(4) == 0
                ? new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE + 1L}[random.nextInt(6)]
                : random.nextLong() >> random.nextInt(64);
    }

    /** Non-negative longs, small ones as often as large. */
    static Gen<Long> naturals() {
        return longs().map(value -> value == Long.MIN_VALUE ? 0 : Math.abs(value));
    }

    /** Integers of up to 200 bits, either sign. */
    static Gen<BigInteger> bigIntegers() {
        return random -> new BigInteger(random.nextInt(1, 200), new java.util.Random(random.nextLong()))
                .multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : -1));
    }

    /** Random UUIDs (drawn from the seed, so that a failing one comes back on a rerun). */
    static Gen<java.util.UUID> uuids() {
        return random -> new java.util.UUID(random.nextLong(), random.nextLong());
    }

    /** Text of {@code minLength} to {@code maxLength} characters from {@code first} to {@code last}. */
    static Gen<String> strings(char first, char last, int minLength, int maxLength) {
        return random -> {
            int length = length(random, minLength, maxLength);
            StringBuilder text = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                text.append((char) random.nextInt(first, last + 1));
            }
            return text.toString();
        };
    }

    /** Text made of {@code alphabet}'s characters. */
    static Gen<String> strings(String alphabet, int minLength, int maxLength) {
        return random -> {
            int length = length(random, minLength, maxLength);
            StringBuilder text = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            return text.toString();
        };
    }

    /** Any UTF-16 code units: control characters, NUL and lone surrogates as often as letters. */
    static Gen<String> anyChars(int maxLength) {
        Gen<String> edges = strings("\0\u0001\u001f\u007f\u0085\u00a0\u2028\ud800\udbff\udc00\udfff\ufeff\uffff", 0, maxLength);
        Gen<String> any = strings('\0', '\uffff', 0, maxLength);
        Gen<String> low = strings('\0', '\u00ff', 0, maxLength);
        return oneOf(any, low, edges);
    }

    static Gen<String> ascii(int maxLength) {
        return strings('\0', '\u007f', 0, maxLength);
    }

    static Gen<String> alpha(int maxLength) {
        return strings("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 0, maxLength);
    }

    static Gen<String> alphanumeric(int minLength, int maxLength) {
        return strings("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", minLength, maxLength);
    }

    static Gen<String> numeric(int maxLength) {
        return strings("0123456789", 0, maxLength);
    }

    /** Up to {@code maxLength} random bytes, short arrays most often. */
    static Gen<byte[]> bytes(int maxLength) {
        return random -> {
            byte[] bytes = new byte[length(random, 0, maxLength)];
            random.nextBytes(bytes);
            return bytes;
        };
    }

    /** A length from {@code min} to {@code max}: the bounds often, then short lengths more than long ones. */
    private static int length(RandomGenerator random, int min, int max) {
        return switch (random.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            case 2, 3, 4 -> random.nextInt(min, Math.min(max, min + 8) + 1);
            default -> random.nextInt(min, max + 1);
        };
    }
}
