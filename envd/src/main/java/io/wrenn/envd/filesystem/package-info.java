/** {@code filesystem.Filesystem}: stat, list, make, move, remove and watch, with ownership for the calling user. */
package io.wrenn.envd.filesystem;
