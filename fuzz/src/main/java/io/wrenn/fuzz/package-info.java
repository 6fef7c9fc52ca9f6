/** Seeded random inputs for fuzzing Wrenn's parsers in the test suite. */
package io.wrenn.fuzz;
