/** Where Wrenn keeps its files: the single builder of paths under {@code WRENN_HOME}. */
package io.wrenn.hostagent.layout;
