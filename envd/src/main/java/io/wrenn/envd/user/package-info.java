/** Users from /etc/passwd and /etc/group, who a request acts as, and how its paths resolve. */
package io.wrenn.envd.user;
