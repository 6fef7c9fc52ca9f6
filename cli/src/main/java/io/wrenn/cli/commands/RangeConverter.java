package io.wrenn.cli.commands;

import io.wrenn.sdk.MetricsRange;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --range 10m} as a {@link MetricsRange}; an unknown name is a usage error. */
final class RangeConverter implements ITypeConverter<MetricsRange> {
    @Override
    public MetricsRange convert(String value) {
        try {
            return MetricsRange.fromWire(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
