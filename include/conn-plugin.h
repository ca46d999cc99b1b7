/*
 * conn-plugin: a Mosquitto (2.1 or later) plugin that records every client
 * connect and disconnect in PostgreSQL (tables client_conn_events and
 * client_sessions). The entry points below are the plugin API version 5
 * functions mosquitto looks up when it loads `plugin /path/to/conn-plugin`.
 *
 * Configuration: plugin_opt_conn_pg_dsn (or the PG_DSN environment variable),
 * plugin_opt_conn_timeout_ms, plugin_opt_conn_debug, plugin_opt_conn_mode and
 * more; see README.md.
 */
#ifndef CONN_PLUGIN_H
#define CONN_PLUGIN_H

#ifdef __cplusplus
extern "C" {
#endif

struct mosquitto_opt;
typedef struct mosquitto_plugin_id_t mosquitto_plugin_id_t;

/* Returns 5 when the broker supports plugin API version 5, else -1. */
int mosquitto_plugin_version(int supported_version_count, const int *supported_versions);

/* Parses options, starts the writer thread and registers for MOSQ_EVT_CONNECT,
 * MOSQ_EVT_DISCONNECT, MOSQ_EVT_CLIENT_OFFLINE and MOSQ_EVT_TICK. Returns
 * MOSQ_ERR_NOT_SUPPORTED on mosquitto 2.0.x and MOSQ_ERR_INVAL on bad options. */
int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
                          struct mosquitto_opt *options, int option_count);

/* Records disconnects for clients still connected at broker shutdown, flushes
 * queued events (or spools them to disk) and unregisters the callbacks. */
int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count);

#ifdef __cplusplus
}
#endif

#endif /* CONN_PLUGIN_H */
