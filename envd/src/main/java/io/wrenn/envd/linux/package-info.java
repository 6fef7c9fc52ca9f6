/** Linux system calls the JDK lacks, bound with java.lang.foreign. */
package io.wrenn.envd.linux;
