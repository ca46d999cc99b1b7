#ifndef CMOSQUITTO_SHIM_H
#define CMOSQUITTO_SHIM_H

/* The MQTT client library (libmosquitto), used by sys-ingester only. */
#include <mosquitto.h>
#include <mqtt_protocol.h>

#endif
