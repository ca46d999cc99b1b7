#ifndef CMOSQUITTO_BROKER_SHIM_H
#define CMOSQUITTO_BROKER_SHIM_H

/*
 * The broker's plugin API, as the conn-plugin sees it.
 *
 * The plugin is built against Debian 12's mosquitto-dev (2.0.11) headers but
 * runs inside mosquitto 2.1. What 2.1 adds and the plugin needs is declared
 * here under cmosq_* names, with the values and layouts of mosquitto 2.1.2's
 * include/mosquitto/broker.h, so the same file compiles against either header
 * set. Broker symbols that exist only in 2.1 are looked up at run time with
 * dlsym(), because mosquitto 2.0 loads plugins with RTLD_NOW: a direct
 * reference would make dlopen() fail with an "undefined symbol" message instead
 * of the plugin's own explanation.
 *
 * No `link` in the module map: these symbols live in the mosquitto executable.
 */

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

/* Event ids (mosquitto 2.1.2, enum mosquitto_plugin_event). */
static const int cmosq_evt_tick = 9;
static const int cmosq_evt_disconnect = 10;
static const int cmosq_evt_connect = 11;
static const int cmosq_evt_client_offline = 28;
/* The broker keeps a client's session after its connection (ADD), or dropped it (DELETE: expired,
 * or discarded by a clean-start reconnect). Part of 2.1's persistence interface, which mosquitto
 * marks unstable: layouts as in 2.1.2. */
static const int cmosq_evt_persist_client_add = 19;
static const int cmosq_evt_persist_client_delete = 20;

/* Event payloads. CONNECT and CLIENT_OFFLINE are 2.1-only; DISCONNECT and TICK
 * have the same layout in 2.0 and 2.1 and are repeated so the Swift side reads
 * all four through one set of declarations. */
struct cmosq_evt_connect {
    void *future;
    struct mosquitto *client;
    void *future2[4];
};

struct cmosq_evt_disconnect {
    void *future;
    struct mosquitto *client;
    int reason;
    void *future2[4];
};

struct cmosq_evt_tick {
    void *future;
    long now_ns;
    long next_ms;
    time_t now_s;
    time_t next_s;
    void *future2[4];
};

/* struct mosquitto_client of 2.1.2 (the session as the persistence interface sees it). */
struct cmosq_persist_client {
    char *clientid;
    char *username;
    char *auth_method;
    time_t will_delay_time;
    time_t session_expiry_time;
    uint32_t will_delay_interval;
    uint32_t session_expiry_interval;
    uint32_t max_packet_size;
    uint16_t listener_port;
    uint8_t max_qos;
    bool retain_available;
    void *future2[8];
};

struct cmosq_evt_persist_client {
    void *future;
    struct cmosq_persist_client data;
    void *future2[8];
};

typedef int (*cmosq_event_callback)(int event, void *event_data, void *userdata);

/// mosquitto_client() (2.1 only): whether the broker holds a session (connected or not) for
/// `clientid`. The broker thread only: it reads the broker's client hash.
static inline bool cmosq_broker_holds_session(const char *clientid)
{
    typedef void *(*client_fn)(const char *);
    static client_fn fn = NULL;
    if (fn == NULL) fn = (client_fn)dlsym(RTLD_DEFAULT, "mosquitto_client");
    return fn != NULL && fn(clientid) != NULL;
}

/// mosquitto_log_printf() is variadic, which Swift cannot call.
static inline void cmosq_log(int level, const char *message)
{
    mosquitto_log_printf(level, "%s", message);
}

/// mosquitto_callback_register() with the event id as a plain int, so that ids
/// absent from 2.0's enum can be passed.
static inline int cmosq_callback_register(mosquitto_plugin_id_t *identifier, int event,
                                          cmosq_event_callback callback, void *userdata)
{
    return mosquitto_callback_register(identifier, event, callback, NULL, userdata);
}

static inline int cmosq_callback_unregister(mosquitto_plugin_id_t *identifier, int event,
                                            cmosq_event_callback callback)
{
    return mosquitto_callback_unregister(identifier, event, callback, NULL);
}

/// mosquitto_plugin_set_info() (2.1 only): reports name and version in the
/// broker's log and $SYS tree. A no-op on brokers without it.
static inline int cmosq_plugin_set_info(mosquitto_plugin_id_t *identifier, const char *name, const char *version)
{
    typedef int (*set_info_fn)(mosquitto_plugin_id_t *, const char *, const char *);
    set_info_fn fn = (set_info_fn)dlsym(RTLD_DEFAULT, "mosquitto_plugin_set_info");
    return fn ? fn(identifier, name, version) : MOSQ_ERR_NOT_SUPPORTED;
}

/// mosquitto_client_port() (2.1 only): the port of the listener the client
/// connected to (not the client's own port), or -1 when the broker lacks it.
static inline int cmosq_listener_port(const struct mosquitto *client)
{
    typedef int (*port_fn)(const struct mosquitto *);
    static port_fn fn = NULL;
    static int looked_up = 0;
    if (!looked_up) {
        fn = (port_fn)dlsym(RTLD_DEFAULT, "mosquitto_client_port");
        looked_up = 1;
    }
    return fn ? fn(client) : -1;
}

/// 1 when the client presented a TLS client certificate (mosquitto reports one only
/// with `require_certificate true`), else 0. The certificate is released with
/// OpenSSL's X509_free, looked up once in the broker process, so the plugin does
/// not link OpenSSL itself.
static inline int cmosq_client_has_certificate(struct mosquitto *client)
{
    typedef void (*free_fn)(void *);
    static free_fn x509_free = NULL;
    static int looked_up = 0;
    void *certificate = mosquitto_client_certificate(client);
    if (!certificate) return 0;
    if (!looked_up) {
        x509_free = (free_fn)dlsym(RTLD_DEFAULT, "X509_free");
        looked_up = 1;
    }
    if (x509_free) x509_free(certificate);
    return 1;
}

/// mosquitto_client_protocol(): 1 when the client came over WebSockets
/// (mp_websockets, value 2 in the mosquitto_protocol enum of 2.0 and 2.1), else 0.
static inline int cmosq_client_is_websockets(struct mosquitto *client)
{
    return mosquitto_client_protocol(client) == 2;
}

/// mosquitto_persistence_location() (2.1 only): the broker's persistence_location, or NULL.
static inline const char *cmosq_persistence_location(void)
{
    typedef const char *(*location_fn)(void);
    location_fn fn = (location_fn)dlsym(RTLD_DEFAULT, "mosquitto_persistence_location");
    return fn ? fn() : NULL;
}

/// mosquitto_broker_publish_copy() with a NULL property list (the property
/// type is opaque here).
static inline int cmosq_publish_copy(const char *topic, int payloadlen, const void *payload, int qos, bool retain)
{
    return mosquitto_broker_publish_copy(NULL, topic, payloadlen, payload, qos, retain, NULL);
}

#endif
