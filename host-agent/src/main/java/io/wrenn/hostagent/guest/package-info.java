/** The host's client of envd, the agent inside each VM (E2B's envd protocol over Connect/JSON and HTTP). */
package io.wrenn.hostagent.guest;
