-- A database as release 5147132 left it (the commit before the write path moved the daily
-- statistics off the event's transaction): made by that build's conn-plugin (async, broker id
-- old-broker, with client_daily_stats counted in each write) and its sys-ingester on one
-- mosquitto 2.1.2 broker: 8 clients connected and disconnected (one unclean), then
-- `pg_dump --no-owner --no-privileges`. ConnPluginUpgradeTests starts today's programs on it.
--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: broker_metrics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broker_metrics (
    id bigint NOT NULL,
    broker text NOT NULL,
    metric text NOT NULL,
    value double precision NOT NULL,
    ts timestamp without time zone NOT NULL
);


--
-- Name: broker_metrics_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.broker_metrics_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: broker_metrics_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.broker_metrics_id_seq OWNED BY public.broker_metrics.id;


--
-- Name: broker_metrics_rollup; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broker_metrics_rollup (
    broker text NOT NULL,
    metric text NOT NULL,
    bucket_width interval NOT NULL,
    bucket_start timestamp without time zone NOT NULL,
    samples bigint NOT NULL,
    min double precision NOT NULL,
    max double precision NOT NULL,
    sum double precision NOT NULL,
    avg double precision GENERATED ALWAYS AS ((sum / (samples)::double precision)) STORED,
    last double precision NOT NULL,
    last_ts timestamp without time zone NOT NULL,
    CONSTRAINT broker_metrics_rollup_bucket_width_check CHECK ((bucket_width = ANY (ARRAY['00:01:00'::interval, '01:00:00'::interval])))
);


--
-- Name: broker_status; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.broker_status (
    broker_id text NOT NULL,
    boot_id text,
    version text,
    started_at timestamp with time zone,
    last_seen timestamp with time zone NOT NULL,
    stopped_at timestamp with time zone,
    status_interval_s integer NOT NULL,
    plugin_version text,
    reporter text,
    ingester_last_seen timestamp with time zone,
    CONSTRAINT broker_status_status_interval_s_check CHECK ((status_interval_s > 0))
);


--
-- Name: client_broker_presence; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.client_broker_presence (
    client_id text NOT NULL,
    broker_id text NOT NULL,
    username text,
    state text NOT NULL,
    since timestamp with time zone NOT NULL,
    last_event_ts timestamp with time zone NOT NULL,
    boot_id text,
    peer text,
    protocol text,
    CONSTRAINT client_broker_presence_state_check CHECK ((state = ANY (ARRAY['connected'::text, 'kept'::text, 'ended'::text])))
);


--
-- Name: client_conn_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.client_conn_events (
    id bigint NOT NULL,
    ts timestamp with time zone NOT NULL,
    event_type text NOT NULL,
    client_id text NOT NULL,
    username text,
    peer text,
    protocol text,
    reason_code integer,
    extra jsonb,
    CONSTRAINT client_conn_events_event_type_check CHECK ((event_type = ANY (ARRAY['connect'::text, 'disconnect'::text])))
);


--
-- Name: client_conn_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.client_conn_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: client_conn_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.client_conn_events_id_seq OWNED BY public.client_conn_events.id;


--
-- Name: client_daily_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.client_daily_stats (
    day date NOT NULL,
    broker_id text NOT NULL,
    client_id text NOT NULL,
    connects bigint DEFAULT 0 NOT NULL,
    disconnects bigint DEFAULT 0 NOT NULL,
    unclean_disconnects bigint DEFAULT 0 NOT NULL,
    online_seconds double precision DEFAULT 0 NOT NULL
);


--
-- Name: client_presence; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.client_presence AS
 SELECT p.client_id,
    p.username,
    p.broker_id,
        CASE
            WHEN ((p.state = ANY (ARRAY['connected'::text, 'kept'::text])) AND (b.stopped_at IS NULL) AND (b.last_seen < (now() - (((3 * b.status_interval_s))::double precision * '00:00:01'::interval)))) THEN 'unknown'::text
            WHEN ((p.state = 'connected'::text) AND (b.stopped_at IS NOT NULL) AND (b.stopped_at > p.last_event_ts)) THEN 'offline'::text
            WHEN (p.state = 'connected'::text) THEN 'online'::text
            WHEN (p.state = 'kept'::text) THEN 'session_kept'::text
            ELSE 'offline'::text
        END AS state,
        CASE
            WHEN ((p.state = ANY (ARRAY['connected'::text, 'kept'::text])) AND (b.stopped_at IS NULL) AND (b.last_seen < (now() - (((3 * b.status_interval_s))::double precision * '00:00:01'::interval)))) THEN b.last_seen
            ELSE p.since
        END AS since,
    p.peer,
    p.protocol,
    p.last_event_ts,
    b.last_seen AS broker_last_seen
   FROM (public.client_broker_presence p
     LEFT JOIN public.broker_status b USING (broker_id));


--
-- Name: client_session_ends; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.client_session_ends (
    id bigint NOT NULL,
    ts timestamp with time zone NOT NULL,
    client_id text NOT NULL,
    broker_id text NOT NULL,
    cause text NOT NULL,
    event_key text NOT NULL,
    extra jsonb
);


--
-- Name: client_session_ends_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.client_session_ends_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: client_session_ends_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.client_session_ends_id_seq OWNED BY public.client_session_ends.id;


--
-- Name: client_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.client_sessions (
    client_id text NOT NULL,
    username text,
    last_event_ts timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    last_connect_ts timestamp with time zone,
    last_disconnect_ts timestamp with time zone,
    last_peer text,
    last_protocol text,
    last_reason_code integer,
    extra jsonb,
    CONSTRAINT client_sessions_last_event_type_check CHECK ((last_event_type = ANY (ARRAY['connect'::text, 'disconnect'::text])))
);


--
-- Name: clients; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.clients (
    id bigint NOT NULL,
    client text NOT NULL,
    username text,
    first_seen timestamp without time zone,
    last_seen timestamp without time zone
);


--
-- Name: clients_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.clients_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: clients_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.clients_id_seq OWNED BY public.clients.id;


--
-- Name: conn_frequent_droppers; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.conn_frequent_droppers AS
 SELECT ev.client_id,
    count(*) AS disconnects,
    count(*) FILTER (WHERE (ev.reason_code IS DISTINCT FROM 0)) AS abnormal,
    max(ev.ts) AS last_disconnect_ts
   FROM public.client_conn_events ev
  WHERE ((ev.event_type = 'disconnect'::text) AND (ev.ts > (now() - '24:00:00'::interval)))
  GROUP BY ev.client_id
  ORDER BY (count(*)) DESC, (max(ev.ts)) DESC;


--
-- Name: conn_online_now; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.conn_online_now AS
 SELECT cs.client_id,
    cs.username,
    cs.last_connect_ts,
    cs.last_peer,
    cs.last_protocol,
    (now() - cs.last_connect_ts) AS connected_for
   FROM public.client_sessions cs
  WHERE (cs.last_event_type = 'connect'::text);


--
-- Name: connected_clients_daily; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.connected_clients_daily AS
 SELECT client_daily_stats.day,
    count(DISTINCT client_daily_stats.client_id) FILTER (WHERE (client_daily_stats.connects > 0)) AS clients_connecting,
    count(DISTINCT client_daily_stats.client_id) FILTER (WHERE ((client_daily_stats.connects > 0) OR (client_daily_stats.online_seconds > (0)::double precision))) AS clients_online,
    sum(client_daily_stats.connects) AS connects,
    sum(client_daily_stats.unclean_disconnects) AS unclean_disconnects,
    (sum(client_daily_stats.online_seconds) / (3600.0)::double precision) AS online_hours
   FROM public.client_daily_stats
  WHERE (client_daily_stats.day > (((now() AT TIME ZONE 'UTC'::text))::date - 30))
  GROUP BY client_daily_stats.day
  ORDER BY client_daily_stats.day;


--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id bigint NOT NULL,
    client_id bigint,
    client text,
    username text,
    start_ts timestamp without time zone,
    end_ts timestamp without time zone,
    broker text
);


--
-- Name: connected_now; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.connected_now AS
 SELECT s.id AS session_id,
    s.broker,
    s.client,
    s.username,
    s.start_ts,
    ((now() AT TIME ZONE 'UTC'::text) - s.start_ts) AS connected_for
   FROM public.sessions s
  WHERE (s.end_ts IS NULL);


--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    id bigint NOT NULL,
    ts timestamp without time zone NOT NULL,
    action text NOT NULL,
    client text,
    topic text,
    qos integer,
    username text,
    raw text,
    broker text,
    CONSTRAINT events_action_check CHECK ((action = ANY (ARRAY['connected'::text, 'disconnected'::text, 'subscribe'::text, 'unsubscribe'::text, 'checkpoint'::text, 'conn_info'::text, 'unknown'::text])))
);


--
-- Name: connects_per_minute; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.connects_per_minute AS
 SELECT date_trunc('minute'::text, e.ts) AS bucket,
    e.broker,
    count(*) FILTER (WHERE (e.action = 'connected'::text)) AS connects,
    count(*) FILTER (WHERE (e.action = 'disconnected'::text)) AS disconnects
   FROM public.events e
  WHERE (e.action = ANY (ARRAY['connected'::text, 'disconnected'::text]))
  GROUP BY (date_trunc('minute'::text, e.ts)), e.broker;


--
-- Name: events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.events_id_seq OWNED BY public.events.id;


--
-- Name: ingest_gaps; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ingest_gaps (
    id bigint NOT NULL,
    broker text NOT NULL,
    kind text NOT NULL,
    started_at timestamp without time zone NOT NULL,
    ended_at timestamp without time zone,
    seconds double precision GENERATED ALWAYS AS (EXTRACT(epoch FROM (ended_at - started_at))) STORED,
    sessions_closed integer DEFAULT 0 NOT NULL,
    recorded_at timestamp without time zone DEFAULT (now() AT TIME ZONE 'UTC'::text) NOT NULL,
    CONSTRAINT ingest_gaps_kind_check CHECK ((kind = ANY (ARRAY['session_not_resumed'::text, 'longer_than_log_expiry'::text, 'broker_silent'::text])))
);


--
-- Name: ingest_gaps_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.ingest_gaps_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: ingest_gaps_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.ingest_gaps_id_seq OWNED BY public.ingest_gaps.id;


--
-- Name: latest_metrics; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.latest_metrics AS
 SELECT DISTINCT ON (m.broker, m.metric) m.broker,
    m.metric,
    m.value,
    m.ts
   FROM public.broker_metrics m
  ORDER BY m.broker, m.metric, m.ts DESC, m.id DESC;


--
-- Name: subscriptions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.subscriptions (
    id bigint NOT NULL,
    session_id bigint,
    client text NOT NULL,
    topic text NOT NULL,
    qos integer DEFAULT 0 NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone
);


--
-- Name: live_subscriptions; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.live_subscriptions AS
 SELECT sub.client,
    sub.topic,
    sub.qos,
    sub.session_id,
    sub.created_at,
    sub.updated_at,
    (EXISTS ( SELECT 1
           FROM public.sessions s
          WHERE ((s.client = sub.client) AND (s.end_ts IS NULL)))) AS client_connected
   FROM public.subscriptions sub
  WHERE sub.active;


--
-- Name: maintenance_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.maintenance_runs (
    id bigint NOT NULL,
    job text NOT NULL,
    run_by text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    rows_deleted bigint DEFAULT 0 NOT NULL,
    outcome text DEFAULT 'running'::text NOT NULL,
    detail text
);


--
-- Name: maintenance_runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.maintenance_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: maintenance_runs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.maintenance_runs_id_seq OWNED BY public.maintenance_runs.id;


--
-- Name: presence_drift; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.presence_drift AS
 WITH plugin AS (
         SELECT client_presence.broker_id,
            count(*) AS online
           FROM public.client_presence
          WHERE (client_presence.state = 'online'::text)
          GROUP BY client_presence.broker_id
        ), ingester AS (
         SELECT sessions.broker AS broker_id,
            count(*) AS connected
           FROM public.sessions
          WHERE (sessions.end_ts IS NULL)
          GROUP BY sessions.broker
        ), sys AS (
         SELECT DISTINCT ON (broker_metrics.broker) broker_metrics.broker AS broker_id,
            broker_metrics.value,
            broker_metrics.ts
           FROM public.broker_metrics
          WHERE (broker_metrics.metric = 'clients/connected'::text)
          ORDER BY broker_metrics.broker, broker_metrics.ts DESC, broker_metrics.id DESC
        )
 SELECT b.broker_id,
        CASE
            WHEN (b.plugin_version IS NOT NULL) THEN COALESCE(p.online, (0)::bigint)
            ELSE NULL::bigint
        END AS plugin_online,
        CASE
            WHEN (b.ingester_last_seen IS NOT NULL) THEN (COALESCE(i.connected, (0)::bigint) + own.connected)
            ELSE NULL::bigint
        END AS ingester_connected,
    (s.value)::bigint AS sys_connected,
    s.ts AS sys_ts,
        CASE
            WHEN (b.plugin_version IS NOT NULL) THEN (COALESCE(p.online, (0)::bigint) - (s.value)::bigint)
            ELSE NULL::bigint
        END AS plugin_drift,
        CASE
            WHEN (b.ingester_last_seen IS NOT NULL) THEN ((COALESCE(i.connected, (0)::bigint) + own.connected) - (s.value)::bigint)
            ELSE NULL::bigint
        END AS ingester_drift
   FROM ((((public.broker_status b
     CROSS JOIN LATERAL ( SELECT
                CASE
                    WHEN (b.ingester_last_seen > (now() - (((3 * b.status_interval_s))::double precision * '00:00:01'::interval))) THEN 1
                    ELSE 0
                END AS "case") own(connected))
     LEFT JOIN plugin p USING (broker_id))
     LEFT JOIN ingester i USING (broker_id))
     LEFT JOIN sys s USING (broker_id));


--
-- Name: recent_activity; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.recent_activity AS
 SELECT e.id,
    e.ts,
    e.broker,
    e.action,
    e.client,
    e.topic,
    e.qos,
    e.username,
    e.raw
   FROM public.events e
  WHERE (e.ts > ((now() AT TIME ZONE 'UTC'::text) - '24:00:00'::interval));


--
-- Name: sessions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: sessions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.sessions_id_seq OWNED BY public.sessions.id;


--
-- Name: subscriptions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.subscriptions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: subscriptions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.subscriptions_id_seq OWNED BY public.subscriptions.id;


--
-- Name: top_droppers_week; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.top_droppers_week AS
 SELECT client_daily_stats.client_id,
    sum(client_daily_stats.unclean_disconnects) AS unclean_disconnects,
    sum(client_daily_stats.disconnects) AS disconnects,
    sum(client_daily_stats.connects) AS connects,
    (sum(client_daily_stats.online_seconds) / (3600.0)::double precision) AS online_hours
   FROM public.client_daily_stats
  WHERE (client_daily_stats.day > (((now() AT TIME ZONE 'UTC'::text))::date - 7))
  GROUP BY client_daily_stats.client_id
 HAVING (sum(client_daily_stats.unclean_disconnects) > (0)::numeric)
  ORDER BY (sum(client_daily_stats.unclean_disconnects)) DESC, (sum(client_daily_stats.disconnects)) DESC, client_daily_stats.client_id;


--
-- Name: broker_metrics id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broker_metrics ALTER COLUMN id SET DEFAULT nextval('public.broker_metrics_id_seq'::regclass);


--
-- Name: client_conn_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_conn_events ALTER COLUMN id SET DEFAULT nextval('public.client_conn_events_id_seq'::regclass);


--
-- Name: client_session_ends id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_session_ends ALTER COLUMN id SET DEFAULT nextval('public.client_session_ends_id_seq'::regclass);


--
-- Name: clients id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clients ALTER COLUMN id SET DEFAULT nextval('public.clients_id_seq'::regclass);


--
-- Name: events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events ALTER COLUMN id SET DEFAULT nextval('public.events_id_seq'::regclass);


--
-- Name: ingest_gaps id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ingest_gaps ALTER COLUMN id SET DEFAULT nextval('public.ingest_gaps_id_seq'::regclass);


--
-- Name: maintenance_runs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.maintenance_runs ALTER COLUMN id SET DEFAULT nextval('public.maintenance_runs_id_seq'::regclass);


--
-- Name: sessions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions ALTER COLUMN id SET DEFAULT nextval('public.sessions_id_seq'::regclass);


--
-- Name: subscriptions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subscriptions ALTER COLUMN id SET DEFAULT nextval('public.subscriptions_id_seq'::regclass);


--
-- Data for Name: broker_metrics; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.broker_metrics (id, broker, metric, value, ts) FROM stdin;
1	old-broker	conn-plugin/events/seen	0	2026-12-03 08:57:07.809998
2	old-broker	conn-plugin/events/written	0	2026-12-03 08:57:07.810084
3	old-broker	conn-plugin/events/queued	0	2026-12-03 08:57:07.810098
4	old-broker	conn-plugin/events/spooled	0	2026-12-03 08:57:07.810115
5	old-broker	conn-plugin/events/dropped	0	2026-12-03 08:57:07.810129
6	old-broker	conn-plugin/events/dead-lettered	0	2026-12-03 08:57:07.810148
7	old-broker	conn-plugin/spool/bytes	0	2026-12-03 08:57:07.810161
8	old-broker	conn-plugin/database/connected	0	2026-12-03 08:57:07.810174
9	old-broker	conn-plugin/write/latency-us	0	2026-12-03 08:57:07.810186
10	old-broker	conn-plugin/write/batch-size	0	2026-12-03 08:57:07.810202
11	old-broker	conn-plugin/broker-wait/count	0	2026-12-03 08:57:07.810214
12	old-broker	conn-plugin/broker-wait/timeouts	0	2026-12-03 08:57:07.810226
13	old-broker	conn-plugin/broker-wait/total-us	0	2026-12-03 08:57:07.81038
14	old-broker	conn-plugin/broker-wait/max-us	0	2026-12-03 08:57:07.810401
15	old-broker	uptime	1	2026-12-03 08:57:07.810476
16	old-broker	clients/total	0	2026-12-03 08:57:07.810496
17	old-broker	clients/disconnected	0	2026-12-03 08:57:07.810599
18	old-broker	clients/connected	0	2026-12-03 08:57:07.810626
19	old-broker	clients/expired	0	2026-12-03 08:57:07.810638
20	old-broker	store/messages/count	69	2026-12-03 08:57:07.810919
21	old-broker	messages/received	0	2026-12-03 08:57:07.810667
22	old-broker	messages/sent	0	2026-12-03 08:57:07.810895
23	old-broker	store/messages/bytes	195	2026-12-03 08:57:07.810932
24	old-broker	subscriptions/count	0	2026-12-03 08:57:07.810947
25	old-broker	shared_subscriptions/count	0	2026-12-03 08:57:07.810962
26	old-broker	retained messages/count	69	2026-12-03 08:57:07.810989
27	old-broker	heap/current	852056	2026-12-03 08:57:07.811005
28	old-broker	heap/maximum	852552	2026-12-03 08:57:07.813112
29	old-broker	bytes/received	0	2026-12-03 08:57:07.813156
30	old-broker	bytes/sent	0	2026-12-03 08:57:07.813174
31	old-broker	publish/bytes/received	0	2026-12-03 08:57:07.82071
32	old-broker	publish/bytes/sent	0	2026-12-03 08:57:07.820768
33	old-broker	publish/messages/dropped	0	2026-12-03 08:57:07.820786
34	old-broker	publish/messages/received	0	2026-12-03 08:57:07.82081
35	old-broker	publish/messages/sent	0	2026-12-03 08:57:07.820827
36	old-broker	packet/out/count	0	2026-12-03 08:57:07.820842
37	old-broker	packet/out/bytes	0	2026-12-03 08:57:07.820857
38	old-broker	connections/socket/count	0	2026-12-03 08:57:07.820872
39	old-broker	load/messages/received/1min	0	2026-12-03 08:57:07.820886
40	old-broker	load/messages/received/5min	0	2026-12-03 08:57:07.820912
41	old-broker	load/messages/received/15min	0	2026-12-03 08:57:07.820959
42	old-broker	load/messages/sent/1min	0	2026-12-03 08:57:07.82099
43	old-broker	load/messages/sent/5min	0	2026-12-03 08:57:07.825338
44	old-broker	load/messages/sent/15min	0	2026-12-03 08:57:07.825388
45	old-broker	load/publish/dropped/1min	0	2026-12-03 08:57:07.825409
46	old-broker	load/publish/dropped/5min	0	2026-12-03 08:57:07.825428
47	old-broker	load/publish/dropped/15min	0	2026-12-03 08:57:07.825447
48	old-broker	load/publish/received/1min	0	2026-12-03 08:57:07.825466
49	old-broker	load/publish/received/5min	0	2026-12-03 08:57:07.825491
50	old-broker	load/publish/received/15min	0	2026-12-03 08:57:07.82553
51	old-broker	load/publish/sent/1min	0	2026-12-03 08:57:07.866973
52	old-broker	load/publish/sent/5min	0	2026-12-03 08:57:07.867136
53	old-broker	load/publish/sent/15min	0	2026-12-03 08:57:07.867171
54	old-broker	load/bytes/received/1min	0	2026-12-03 08:57:07.867191
55	old-broker	load/bytes/received/5min	0	2026-12-03 08:57:07.86721
56	old-broker	load/bytes/received/15min	0	2026-12-03 08:57:07.867228
57	old-broker	load/bytes/sent/1min	0	2026-12-03 08:57:07.867246
58	old-broker	load/bytes/sent/5min	0	2026-12-03 08:57:07.867265
59	old-broker	load/bytes/sent/15min	0	2026-12-03 08:57:07.867282
60	old-broker	load/sockets/1min	0	2026-12-03 08:57:07.867304
61	old-broker	load/sockets/5min	0	2026-12-03 08:57:07.86732
62	old-broker	load/sockets/15min	0	2026-12-03 08:57:07.867352
63	old-broker	load/connections/1min	0	2026-12-03 08:57:07.86737
64	old-broker	load/connections/5min	0	2026-12-03 08:57:07.867388
65	old-broker	load/connections/15min	0	2026-12-03 08:57:07.867405
66	old-broker	uptime	2	2026-12-03 08:57:08.006864
67	old-broker	load/messages/received/1min	113.06	2026-12-03 08:57:08.00693
68	old-broker	load/messages/received/5min	22.76	2026-12-03 08:57:08.007042
69	old-broker	load/messages/received/15min	7.6	2026-12-03 08:57:08.007068
70	old-broker	load/messages/sent/1min	130.91	2026-12-03 08:57:08.007091
71	old-broker	load/messages/sent/5min	26.56	2026-12-03 08:57:08.007114
72	old-broker	load/messages/sent/15min	8.93	2026-12-03 08:57:08.007137
73	old-broker	load/publish/sent/1min	76.36	2026-12-03 08:57:08.007159
74	old-broker	load/publish/sent/5min	15.57	2026-12-03 08:57:08.007181
75	old-broker	load/publish/sent/15min	5.26	2026-12-03 08:57:08.007202
76	old-broker	load/bytes/received/1min	498.83	2026-12-03 08:57:08.007225
77	old-broker	load/bytes/received/5min	100.43	2026-12-03 08:57:08.007246
78	old-broker	load/bytes/received/15min	33.51	2026-12-03 08:57:08.007268
79	old-broker	load/bytes/sent/1min	3783.38	2026-12-03 08:57:08.00729
80	old-broker	load/bytes/sent/5min	770.71	2026-12-03 08:57:08.00731
81	old-broker	load/bytes/sent/15min	260.12	2026-12-03 08:57:08.007334
82	old-broker	load/sockets/1min	0.99	2026-12-03 08:57:08.007355
83	old-broker	load/sockets/5min	0.2	2026-12-03 08:57:08.007378
84	old-broker	load/sockets/15min	0.07	2026-12-03 08:57:08.007408
85	old-broker	load/connections/1min	0.99	2026-12-03 08:57:08.007429
86	old-broker	load/connections/5min	0.2	2026-12-03 08:57:08.008115
87	old-broker	load/connections/15min	0.07	2026-12-03 08:57:08.008196
88	old-broker	clients/total	1	2026-12-03 08:57:08.008221
89	old-broker	clients/connected	1	2026-12-03 08:57:08.008266
90	old-broker	subscriptions/count	1	2026-12-03 08:57:08.008287
91	old-broker	heap/current	860536	2026-12-03 08:57:08.00831
92	old-broker	heap/maximum	870536	2026-12-03 08:57:08.008331
93	old-broker	messages/received	114	2026-12-03 08:57:08.008352
94	old-broker	messages/sent	148	2026-12-03 08:57:08.008401
95	old-broker	bytes/received	503	2026-12-03 08:57:08.008425
96	old-broker	bytes/sent	4110	2026-12-03 08:57:08.008449
97	old-broker	publish/bytes/sent	349	2026-12-03 08:57:08.008556
98	old-broker	connections/socket/count	1	2026-12-03 08:57:08.008597
99	old-broker	publish/messages/sent	90	2026-12-03 08:57:08.00862
100	old-broker	uptime	3	2026-12-03 08:57:09.0064
101	old-broker	load/messages/received/1min	182.59	2026-12-03 08:57:09.00661
102	old-broker	load/messages/received/5min	37.06	2026-12-03 08:57:09.006631
103	old-broker	load/messages/received/15min	12.38	2026-12-03 08:57:09.006749
104	old-broker	load/messages/sent/1min	182.29	2026-12-03 08:57:09.006772
105	old-broker	load/messages/sent/5min	37.45	2026-12-03 08:57:09.006788
106	old-broker	load/messages/sent/15min	12.65	2026-12-03 08:57:09.006804
107	old-broker	load/publish/received/1min	1.98	2026-12-03 08:57:09.00682
108	old-broker	load/publish/received/5min	0.4	2026-12-03 08:57:09.006836
109	old-broker	load/publish/received/15min	0.13	2026-12-03 08:57:09.006852
110	old-broker	load/publish/sent/1min	99.89	2026-12-03 08:57:09.006867
111	old-broker	load/publish/sent/5min	20.71	2026-12-03 08:57:09.006883
112	old-broker	load/publish/sent/15min	7.06	2026-12-03 08:57:09.006899
113	old-broker	load/bytes/received/1min	819.84	2026-12-03 08:57:09.006915
114	old-broker	load/bytes/received/5min	166.39	2026-12-03 08:57:09.006943
115	old-broker	load/bytes/received/15min	55.6	2026-12-03 08:57:09.006967
116	old-broker	load/bytes/sent/1min	5157.84	2026-12-03 08:57:09.00699
117	old-broker	load/bytes/sent/5min	1066.45	2026-12-03 08:57:09.007011
118	old-broker	load/bytes/sent/15min	362.38	2026-12-03 08:57:09.007027
119	old-broker	load/sockets/1min	0.98	2026-12-03 08:57:09.007042
120	old-broker	load/connections/1min	0.98	2026-12-03 08:57:09.00744
121	old-broker	store/messages/bytes	227	2026-12-03 08:57:09.007469
122	old-broker	messages/received	186	2026-12-03 08:57:09.007485
123	old-broker	messages/sent	218	2026-12-03 08:57:09.007514
124	old-broker	bytes/received	835	2026-12-03 08:57:09.007531
125	old-broker	bytes/sent	5733	2026-12-03 08:57:09.007632
126	old-broker	publish/bytes/sent	500	2026-12-03 08:57:09.00765
127	old-broker	publish/messages/received	2	2026-12-03 08:57:09.007668
128	old-broker	publish/messages/sent	125	2026-12-03 08:57:09.007685
129	old-broker	uptime	4	2026-12-03 08:57:10.00686
130	old-broker	load/messages/received/1min	247.01	2026-12-03 08:57:10.007024
131	old-broker	load/messages/received/5min	50.52	2026-12-03 08:57:10.007047
132	old-broker	load/messages/received/15min	16.9	2026-12-03 08:57:10.007065
133	old-broker	load/messages/sent/1min	228.87	2026-12-03 08:57:10.007082
134	old-broker	load/messages/sent/5min	47.51	2026-12-03 08:57:10.007108
135	old-broker	load/messages/sent/15min	16.1	2026-12-03 08:57:10.007131
136	old-broker	load/publish/received/1min	3.93	2026-12-03 08:57:10.007153
137	old-broker	load/publish/received/5min	0.8	2026-12-03 08:57:10.007258
138	old-broker	load/publish/received/15min	0.27	2026-12-03 08:57:10.007292
139	old-broker	load/publish/sent/1min	120.06	2026-12-03 08:57:10.007315
140	old-broker	load/publish/sent/5min	25.24	2026-12-03 08:57:10.007458
141	old-broker	load/publish/sent/15min	8.65	2026-12-03 08:57:10.007547
142	old-broker	load/bytes/received/1min	1145.45	2026-12-03 08:57:10.007556
143	old-broker	load/bytes/received/5min	234.12	2026-12-03 08:57:10.007564
144	old-broker	load/bytes/received/15min	78.32	2026-12-03 08:57:10.007573
145	old-broker	load/bytes/sent/1min	6549.25	2026-12-03 08:57:10.007582
146	old-broker	load/bytes/sent/5min	1369.19	2026-12-03 08:57:10.007592
147	old-broker	load/bytes/sent/15min	467.18	2026-12-03 08:57:10.007599
148	old-broker	load/sockets/1min	1.95	2026-12-03 08:57:10.007608
149	old-broker	load/sockets/5min	0.4	2026-12-03 08:57:10.00825
150	old-broker	load/sockets/15min	0.13	2026-12-03 08:57:10.008304
151	old-broker	load/connections/1min	1.95	2026-12-03 08:57:10.008322
152	old-broker	load/connections/5min	0.4	2026-12-03 08:57:10.008338
153	old-broker	load/connections/15min	0.13	2026-12-03 08:57:10.008354
154	old-broker	clients/total	2	2026-12-03 08:57:10.00837
155	old-broker	clients/maximum	2	2026-12-03 08:57:10.008521
156	old-broker	clients/connected	2	2026-12-03 08:57:10.008645
157	old-broker	store/messages/bytes	231	2026-12-03 08:57:10.008666
158	old-broker	subscriptions/count	2	2026-12-03 08:57:10.008688
159	old-broker	heap/current	866984	2026-12-03 08:57:10.00871
160	old-broker	messages/received	254	2026-12-03 08:57:10.00873
161	old-broker	messages/sent	284	2026-12-03 08:57:10.00876
162	old-broker	bytes/received	1177	2026-12-03 08:57:10.008781
163	old-broker	bytes/sent	7396	2026-12-03 08:57:10.008799
164	old-broker	publish/bytes/sent	811	2026-12-03 08:57:10.008828
165	old-broker	connections/socket/count	2	2026-12-03 08:57:10.008852
166	old-broker	publish/messages/received	4	2026-12-03 08:57:10.008879
167	old-broker	publish/messages/sent	157	2026-12-03 08:57:10.008988
168	old-broker	uptime	5	2026-12-03 08:57:11.006932
169	old-broker	load/messages/received/1min	335.16	2026-12-03 08:57:11.006995
170	old-broker	load/messages/received/5min	68.92	2026-12-03 08:57:11.007096
171	old-broker	load/messages/received/15min	23.08	2026-12-03 08:57:11.007118
172	old-broker	load/messages/sent/1min	298.47	2026-12-03 08:57:11.007135
173	old-broker	load/messages/sent/5min	62.32	2026-12-03 08:57:11.007151
174	old-broker	load/messages/sent/15min	21.15	2026-12-03 08:57:11.007166
175	old-broker	load/publish/received/1min	5.85	2026-12-03 08:57:11.007182
176	old-broker	load/publish/received/5min	1.19	2026-12-03 08:57:11.007198
177	old-broker	load/publish/received/15min	0.4	2026-12-03 08:57:11.007214
178	old-broker	load/publish/sent/1min	151.79	2026-12-03 08:57:11.00723
179	old-broker	load/publish/sent/5min	32.14	2026-12-03 08:57:11.007246
180	old-broker	load/publish/sent/15min	11.04	2026-12-03 08:57:11.007261
181	old-broker	load/bytes/received/1min	1562.87	2026-12-03 08:57:11.007278
182	old-broker	load/bytes/received/5min	321.19	2026-12-03 08:57:11.007293
183	old-broker	load/bytes/received/15min	107.55	2026-12-03 08:57:11.007308
184	old-broker	load/bytes/sent/1min	8468.06	2026-12-03 08:57:11.007324
185	old-broker	load/bytes/sent/5min	1781.74	2026-12-03 08:57:11.00734
186	old-broker	load/bytes/sent/15min	608.85	2026-12-03 08:57:11.007355
187	old-broker	load/sockets/1min	2.91	2026-12-03 08:57:11.00737
188	old-broker	load/sockets/5min	0.6	2026-12-03 08:57:11.007979
189	old-broker	load/sockets/15min	0.2	2026-12-03 08:57:11.007992
190	old-broker	load/connections/1min	2.91	2026-12-03 08:57:11.008001
191	old-broker	load/connections/5min	0.6	2026-12-03 08:57:11.008008
192	old-broker	load/connections/15min	0.2	2026-12-03 08:57:11.008017
193	old-broker	store/messages/count	70	2026-12-03 08:57:11.008033
194	old-broker	store/messages/bytes	235	2026-12-03 08:57:11.008041
195	old-broker	retained messages/count	70	2026-12-03 08:57:11.00805
196	old-broker	heap/current	867408	2026-12-03 08:57:11.008058
197	old-broker	heap/maximum	873144	2026-12-03 08:57:11.008065
198	old-broker	messages/received	347	2026-12-03 08:57:11.008073
199	old-broker	messages/sent	374	2026-12-03 08:57:11.008088
200	old-broker	bytes/received	1617	2026-12-03 08:57:11.008098
201	old-broker	bytes/sent	9614	2026-12-03 08:57:11.008247
202	old-broker	publish/bytes/sent	1216	2026-12-03 08:57:11.008266
203	old-broker	connections/socket/count	3	2026-12-03 08:57:11.008324
204	old-broker	publish/messages/received	6	2026-12-03 08:57:11.008341
205	old-broker	publish/messages/sent	201	2026-12-03 08:57:11.008358
206	old-broker	uptime	6	2026-12-03 08:57:12.006232
207	old-broker	load/messages/received/1min	419.86	2026-12-03 08:57:12.00628
208	old-broker	load/messages/received/5min	86.86	2026-12-03 08:57:12.006347
209	old-broker	load/messages/received/15min	29.12	2026-12-03 08:57:12.006357
210	old-broker	load/messages/sent/1min	364.94	2026-12-03 08:57:12.006366
211	old-broker	load/messages/sent/5min	76.69	2026-12-03 08:57:12.006374
212	old-broker	load/messages/sent/15min	26.05	2026-12-03 08:57:12.006383
213	old-broker	load/publish/received/1min	7.74	2026-12-03 08:57:12.006392
214	old-broker	load/publish/received/5min	1.59	2026-12-03 08:57:12.006401
215	old-broker	load/publish/received/15min	0.53	2026-12-03 08:57:12.006409
216	old-broker	load/publish/sent/1min	182.01	2026-12-03 08:57:12.006418
217	old-broker	load/publish/sent/5min	38.82	2026-12-03 08:57:12.006427
218	old-broker	load/publish/sent/15min	13.36	2026-12-03 08:57:12.006435
219	old-broker	load/bytes/received/1min	1965.46	2026-12-03 08:57:12.006444
220	old-broker	load/bytes/received/5min	406.38	2026-12-03 08:57:12.006452
221	old-broker	load/bytes/received/15min	136.22	2026-12-03 08:57:12.00646
222	old-broker	load/bytes/sent/1min	10333.34	2026-12-03 08:57:12.006469
223	old-broker	load/bytes/sent/5min	2188.72	2026-12-03 08:57:12.006479
224	old-broker	load/bytes/sent/15min	748.96	2026-12-03 08:57:12.006487
225	old-broker	load/sockets/1min	3.85	2026-12-03 08:57:12.006495
226	old-broker	load/sockets/5min	0.79	2026-12-03 08:57:12.007032
227	old-broker	load/sockets/15min	0.27	2026-12-03 08:57:12.007052
228	old-broker	load/connections/1min	3.85	2026-12-03 08:57:12.00706
229	old-broker	load/connections/5min	0.79	2026-12-03 08:57:12.007069
230	old-broker	load/connections/15min	0.27	2026-12-03 08:57:12.007078
231	old-broker	store/messages/bytes	238	2026-12-03 08:57:12.007087
232	old-broker	messages/received	438	2026-12-03 08:57:12.007223
233	old-broker	messages/sent	462	2026-12-03 08:57:12.00724
234	old-broker	bytes/received	2049	2026-12-03 08:57:12.00725
235	old-broker	bytes/sent	11811	2026-12-03 08:57:12.00726
236	old-broker	publish/bytes/sent	1630	2026-12-03 08:57:12.007269
237	old-broker	connections/socket/count	4	2026-12-03 08:57:12.00728
238	old-broker	publish/messages/received	8	2026-12-03 08:57:12.007288
239	old-broker	publish/messages/sent	244	2026-12-03 08:57:12.007298
240	old-broker	uptime	7	2026-12-03 08:57:13.006521
241	old-broker	load/messages/received/1min	493.25	2026-12-03 08:57:13.006798
242	old-broker	load/messages/received/5min	102.74	2026-12-03 08:57:13.006825
243	old-broker	load/messages/received/15min	34.48	2026-12-03 08:57:13.006874
244	old-broker	load/messages/sent/1min	420.4	2026-12-03 08:57:13.006918
245	old-broker	load/messages/sent/5min	89.02	2026-12-03 08:57:13.006938
246	old-broker	load/messages/sent/15min	30.29	2026-12-03 08:57:13.006957
247	old-broker	load/publish/received/1min	9.59	2026-12-03 08:57:13.006977
248	old-broker	load/publish/received/5min	1.98	2026-12-03 08:57:13.006996
249	old-broker	load/publish/received/15min	0.66	2026-12-03 08:57:13.007015
250	old-broker	load/publish/sent/1min	206.77	2026-12-03 08:57:13.007035
251	old-broker	load/publish/sent/5min	44.48	2026-12-03 08:57:13.007054
252	old-broker	load/publish/sent/15min	15.34	2026-12-03 08:57:13.007073
253	old-broker	load/bytes/received/1min	2321.72	2026-12-03 08:57:13.007092
254	old-broker	load/bytes/received/5min	483.3	2026-12-03 08:57:13.007112
255	old-broker	load/bytes/received/15min	162.19	2026-12-03 08:57:13.007131
256	old-broker	load/bytes/sent/1min	11961.51	2026-12-03 08:57:13.00715
257	old-broker	load/bytes/sent/5min	2552.82	2026-12-03 08:57:13.007168
258	old-broker	load/bytes/sent/15min	875.06	2026-12-03 08:57:13.007187
259	old-broker	load/sockets/1min	4.78	2026-12-03 08:57:13.007206
260	old-broker	load/sockets/5min	0.99	2026-12-03 08:57:13.0077
261	old-broker	load/sockets/15min	0.33	2026-12-03 08:57:13.007719
262	old-broker	load/connections/1min	4.78	2026-12-03 08:57:13.00773
263	old-broker	load/connections/5min	0.99	2026-12-03 08:57:13.00774
264	old-broker	load/connections/15min	0.33	2026-12-03 08:57:13.00775
265	old-broker	store/messages/bytes	240	2026-12-03 08:57:13.007762
266	old-broker	messages/received	519	2026-12-03 08:57:13.007772
267	old-broker	messages/sent	540	2026-12-03 08:57:13.007793
268	old-broker	bytes/received	2441	2026-12-03 08:57:13.00794
269	old-broker	bytes/sent	13800	2026-12-03 08:57:13.007962
270	old-broker	publish/bytes/sent	2028	2026-12-03 08:57:13.00803
271	old-broker	connections/socket/count	5	2026-12-03 08:57:13.008052
272	old-broker	publish/messages/received	10	2026-12-03 08:57:13.008071
273	old-broker	publish/messages/sent	282	2026-12-03 08:57:13.008093
274	old-broker	uptime	8	2026-12-03 08:57:14.006617
275	old-broker	load/messages/received/1min	565.43	2026-12-03 08:57:14.006672
276	old-broker	load/messages/received/5min	118.57	2026-12-03 08:57:14.006748
277	old-broker	load/messages/received/15min	39.84	2026-12-03 08:57:14.006762
278	old-broker	load/messages/sent/1min	474.93	2026-12-03 08:57:14.006779
279	old-broker	load/messages/sent/5min	101.3	2026-12-03 08:57:14.006793
280	old-broker	load/messages/sent/15min	34.52	2026-12-03 08:57:14.006807
281	old-broker	load/publish/received/1min	11.42	2026-12-03 08:57:14.010928
282	old-broker	load/publish/received/5min	2.38	2026-12-03 08:57:14.010977
283	old-broker	load/publish/received/15min	0.8	2026-12-03 08:57:14.011064
284	old-broker	load/publish/sent/1min	231.12	2026-12-03 08:57:14.011087
285	old-broker	load/publish/sent/5min	50.13	2026-12-03 08:57:14.011108
286	old-broker	load/publish/sent/15min	17.32	2026-12-03 08:57:14.011127
287	old-broker	load/bytes/received/1min	2672.1	2026-12-03 08:57:14.011148
288	old-broker	load/bytes/received/5min	559.96	2026-12-03 08:57:14.011168
289	old-broker	load/bytes/received/15min	188.13	2026-12-03 08:57:14.011188
290	old-broker	load/bytes/sent/1min	13565.75	2026-12-03 08:57:14.011208
291	old-broker	load/bytes/sent/5min	2916.3	2026-12-03 08:57:14.011228
292	old-broker	load/bytes/sent/15min	1001.22	2026-12-03 08:57:14.011247
293	old-broker	load/sockets/1min	5.69	2026-12-03 08:57:14.011268
294	old-broker	load/sockets/5min	1.19	2026-12-03 08:57:14.011669
295	old-broker	load/sockets/15min	0.4	2026-12-03 08:57:14.011695
296	old-broker	load/connections/1min	5.69	2026-12-03 08:57:14.011714
297	old-broker	load/connections/5min	1.19	2026-12-03 08:57:14.011734
298	old-broker	load/connections/15min	0.4	2026-12-03 08:57:14.011753
299	old-broker	store/messages/bytes	242	2026-12-03 08:57:14.011772
300	old-broker	messages/received	600	2026-12-03 08:57:14.011791
301	old-broker	messages/sent	618	2026-12-03 08:57:14.011821
302	old-broker	bytes/received	2833	2026-12-03 08:57:14.011969
303	old-broker	bytes/sent	15793	2026-12-03 08:57:14.011993
304	old-broker	publish/bytes/sent	2430	2026-12-03 08:57:14.012014
305	old-broker	connections/socket/count	6	2026-12-03 08:57:14.012036
306	old-broker	publish/messages/received	12	2026-12-03 08:57:14.012055
307	old-broker	publish/messages/sent	320	2026-12-03 08:57:14.012077
308	old-broker	uptime	9	2026-12-03 08:57:15.006945
309	old-broker	load/messages/received/1min	636.41	2026-12-03 08:57:15.007023
310	old-broker	load/messages/received/5min	134.35	2026-12-03 08:57:15.00706
311	old-broker	load/messages/received/15min	45.19	2026-12-03 08:57:15.007096
312	old-broker	load/messages/sent/1min	528.57	2026-12-03 08:57:15.007132
313	old-broker	load/messages/sent/5min	113.54	2026-12-03 08:57:15.007167
314	old-broker	load/messages/sent/15min	38.75	2026-12-03 08:57:15.007202
315	old-broker	load/publish/received/1min	13.21	2026-12-03 08:57:15.007304
316	old-broker	load/publish/received/5min	2.77	2026-12-03 08:57:15.00733
317	old-broker	load/publish/received/15min	0.93	2026-12-03 08:57:15.00734
318	old-broker	load/publish/sent/1min	255.07	2026-12-03 08:57:15.007349
319	old-broker	load/publish/sent/5min	55.75	2026-12-03 08:57:15.007357
320	old-broker	load/publish/sent/15min	19.3	2026-12-03 08:57:15.007366
321	old-broker	load/bytes/received/1min	3015.69	2026-12-03 08:57:15.007375
322	old-broker	load/bytes/received/5min	636.17	2026-12-03 08:57:15.007384
323	old-broker	load/bytes/received/15min	213.97	2026-12-03 08:57:15.007392
324	old-broker	load/bytes/sent/1min	15141.48	2026-12-03 08:57:15.0074
325	old-broker	load/bytes/sent/5min	3278.18	2026-12-03 08:57:15.007409
326	old-broker	load/bytes/sent/15min	1127.1	2026-12-03 08:57:15.007417
327	old-broker	load/sockets/1min	6.59	2026-12-03 08:57:15.007426
328	old-broker	load/sockets/5min	1.38	2026-12-03 08:57:15.007721
329	old-broker	load/sockets/15min	0.46	2026-12-03 08:57:15.007732
330	old-broker	load/connections/1min	6.59	2026-12-03 08:57:15.00774
331	old-broker	load/connections/5min	1.38	2026-12-03 08:57:15.007747
332	old-broker	load/connections/15min	0.46	2026-12-03 08:57:15.007901
333	old-broker	store/messages/bytes	245	2026-12-03 08:57:15.00791
334	old-broker	messages/received	681	2026-12-03 08:57:15.007919
335	old-broker	messages/sent	696	2026-12-03 08:57:15.007934
336	old-broker	bytes/received	3224	2026-12-03 08:57:15.007945
337	old-broker	bytes/sent	17784	2026-12-03 08:57:15.007955
338	old-broker	publish/bytes/sent	2830	2026-12-03 08:57:15.007964
339	old-broker	connections/socket/count	7	2026-12-03 08:57:15.007975
340	old-broker	publish/messages/received	14	2026-12-03 08:57:15.007982
341	old-broker	publish/messages/sent	358	2026-12-03 08:57:15.007993
342	old-broker	uptime	10	2026-12-03 08:57:16.006936
343	old-broker	load/messages/received/1min	705.23	2026-12-03 08:57:16.007002
344	old-broker	load/messages/received/5min	149.88	2026-12-03 08:57:16.007019
345	old-broker	load/messages/received/15min	50.47	2026-12-03 08:57:16.007032
346	old-broker	conn-plugin/events/seen	14	2026-12-03 08:57:16.007043
347	old-broker	conn-plugin/events/written	14	2026-12-03 08:57:16.007067
348	old-broker	conn-plugin/events/queued	0	2026-12-03 08:57:16.00708
349	old-broker	conn-plugin/events/spooled	0	2026-12-03 08:57:16.007091
350	old-broker	conn-plugin/spool/bytes	0	2026-12-03 08:57:16.007104
351	old-broker	conn-plugin/events/dropped	0	2026-12-03 08:57:16.007113
352	old-broker	conn-plugin/events/dead-lettered	0	2026-12-03 08:57:16.007126
353	old-broker	conn-plugin/database/connected	1	2026-12-03 08:57:16.00714
354	old-broker	conn-plugin/write/latency-us	12023	2026-12-03 08:57:16.00715
355	old-broker	conn-plugin/write/batch-size	1	2026-12-03 08:57:16.00716
356	old-broker	conn-plugin/broker-wait/count	0	2026-12-03 08:57:16.00717
357	old-broker	conn-plugin/broker-wait/timeouts	0	2026-12-03 08:57:16.007179
358	old-broker	conn-plugin/broker-wait/total-us	0	2026-12-03 08:57:16.00719
359	old-broker	conn-plugin/broker-wait/max-us	0	2026-12-03 08:57:16.0072
360	old-broker	load/messages/sent/1min	581.32	2026-12-03 08:57:16.007458
361	old-broker	load/messages/sent/5min	125.74	2026-12-03 08:57:16.00749
362	old-broker	load/messages/sent/15min	42.97	2026-12-03 08:57:16.007586
363	old-broker	load/publish/received/1min	14.98	2026-12-03 08:57:16.007612
364	old-broker	load/publish/received/5min	3.16	2026-12-03 08:57:16.007635
365	old-broker	load/publish/received/15min	1.06	2026-12-03 08:57:16.007659
366	old-broker	load/publish/sent/1min	278.62	2026-12-03 08:57:16.007682
367	old-broker	load/publish/sent/5min	61.35	2026-12-03 08:57:16.007703
368	old-broker	load/publish/sent/15min	21.28	2026-12-03 08:57:16.007723
369	old-broker	load/bytes/received/1min	3349.64	2026-12-03 08:57:16.007746
370	old-broker	load/bytes/received/5min	711.32	2026-12-03 08:57:16.007768
371	old-broker	load/bytes/received/15min	239.52	2026-12-03 08:57:16.00779
372	old-broker	load/bytes/sent/1min	16715.97	2026-12-03 08:57:16.007812
373	old-broker	load/bytes/sent/5min	3643.84	2026-12-03 08:57:16.007834
374	old-broker	load/bytes/sent/15min	1254.51	2026-12-03 08:57:16.007855
375	old-broker	load/sockets/1min	7.48	2026-12-03 08:57:16.007876
376	old-broker	load/sockets/5min	1.58	2026-12-03 08:57:16.008429
377	old-broker	load/sockets/15min	0.53	2026-12-03 08:57:16.00846
378	old-broker	load/connections/1min	7.48	2026-12-03 08:57:16.008482
379	old-broker	load/connections/5min	1.58	2026-12-03 08:57:16.008503
380	old-broker	load/connections/15min	0.53	2026-12-03 08:57:16.008526
381	old-broker	store/messages/bytes	246	2026-12-03 08:57:16.00855
382	old-broker	messages/received	761	2026-12-03 08:57:16.008574
383	old-broker	messages/sent	774	2026-12-03 08:57:16.008604
384	old-broker	bytes/received	3611	2026-12-03 08:57:16.008784
385	old-broker	bytes/sent	19800	2026-12-03 08:57:16.008815
386	old-broker	publish/bytes/sent	3255	2026-12-03 08:57:16.00884
387	old-broker	connections/socket/count	8	2026-12-03 08:57:16.008863
388	old-broker	publish/messages/received	16	2026-12-03 08:57:16.008885
389	old-broker	publish/messages/sent	396	2026-12-03 08:57:16.00891
390	old-broker	uptime	11	2026-12-03 08:57:17.006397
391	old-broker	load/messages/received/1min	762.99	2026-12-03 08:57:17.006657
392	old-broker	load/messages/received/5min	163.36	2026-12-03 08:57:17.006733
393	old-broker	load/messages/received/15min	55.08	2026-12-03 08:57:17.006827
394	old-broker	load/messages/sent/1min	637.16	2026-12-03 08:57:17.006849
395	old-broker	load/messages/sent/5min	138.7	2026-12-03 08:57:17.00687
396	old-broker	load/messages/sent/15min	47.45	2026-12-03 08:57:17.006889
397	old-broker	load/publish/received/1min	16.72	2026-12-03 08:57:17.00691
398	old-broker	load/publish/received/5min	3.55	2026-12-03 08:57:17.006931
399	old-broker	load/publish/received/15min	1.19	2026-12-03 08:57:17.006951
400	old-broker	load/publish/sent/1min	311.7	2026-12-03 08:57:17.006971
401	old-broker	load/publish/sent/5min	68.94	2026-12-03 08:57:17.006991
402	old-broker	load/publish/sent/15min	23.92	2026-12-03 08:57:17.007011
403	old-broker	load/bytes/received/1min	3615.59	2026-12-03 08:57:17.007032
404	old-broker	load/bytes/received/5min	773.65	2026-12-03 08:57:17.007052
405	old-broker	load/bytes/received/15min	260.84	2026-12-03 08:57:17.007072
406	old-broker	load/bytes/sent/1min	18510.38	2026-12-03 08:57:17.007092
407	old-broker	load/bytes/sent/5min	4057.81	2026-12-03 08:57:17.007112
408	old-broker	load/bytes/sent/15min	1398.31	2026-12-03 08:57:17.007131
409	old-broker	load/sockets/1min	7.35	2026-12-03 08:57:17.007151
410	old-broker	load/connections/1min	7.35	2026-12-03 08:57:17.007622
411	old-broker	store/messages/bytes	252	2026-12-03 08:57:17.007648
412	old-broker	heap/maximum	874600	2026-12-03 08:57:17.007668
413	old-broker	messages/received	831	2026-12-03 08:57:17.007687
414	old-broker	messages/sent	856	2026-12-03 08:57:17.007843
415	old-broker	bytes/received	3935	2026-12-03 08:57:17.007867
416	old-broker	bytes/sent	22064	2026-12-03 08:57:17.007888
417	old-broker	publish/bytes/sent	3441	2026-12-03 08:57:17.00791
418	old-broker	publish/messages/received	18	2026-12-03 08:57:17.007932
419	old-broker	publish/messages/sent	444	2026-12-03 08:57:17.007954
420	old-broker	uptime	12	2026-12-03 08:57:18.006653
421	old-broker	load/messages/received/1min	811.87	2026-12-03 08:57:18.007043
422	old-broker	load/messages/received/5min	175.19	2026-12-03 08:57:18.007077
423	old-broker	load/messages/received/15min	59.15	2026-12-03 08:57:18.007173
424	old-broker	load/messages/sent/1min	670.27	2026-12-03 08:57:18.007198
425	old-broker	load/messages/sent/5min	147.23	2026-12-03 08:57:18.00722
426	old-broker	load/messages/sent/15min	50.46	2026-12-03 08:57:18.007244
427	old-broker	load/publish/received/1min	18.42	2026-12-03 08:57:18.007268
428	old-broker	load/publish/received/5min	3.93	2026-12-03 08:57:18.00729
429	old-broker	load/publish/received/15min	1.33	2026-12-03 08:57:18.007313
430	old-broker	load/publish/sent/1min	326.38	2026-12-03 08:57:18.007336
431	old-broker	load/publish/sent/5min	72.9	2026-12-03 08:57:18.00736
432	old-broker	load/publish/sent/15min	25.36	2026-12-03 08:57:18.007385
433	old-broker	load/bytes/received/1min	3845.41	2026-12-03 08:57:18.007408
434	old-broker	load/bytes/received/5min	829.37	2026-12-03 08:57:18.007433
435	old-broker	load/bytes/received/15min	280	2026-12-03 08:57:18.007458
436	old-broker	load/bytes/sent/1min	19458.94	2026-12-03 08:57:18.007482
437	old-broker	load/bytes/sent/5min	4306.07	2026-12-03 08:57:18.007508
438	old-broker	load/bytes/sent/15min	1487.1	2026-12-03 08:57:18.007532
439	old-broker	load/sockets/1min	7.23	2026-12-03 08:57:18.007556
440	old-broker	load/connections/1min	7.23	2026-12-03 08:57:18.050978
441	old-broker	messages/received	893	2026-12-03 08:57:18.051103
442	old-broker	messages/sent	916	2026-12-03 08:57:18.051176
443	old-broker	bytes/received	4227	2026-12-03 08:57:18.051208
444	old-broker	bytes/sent	23505	2026-12-03 08:57:18.051234
445	old-broker	publish/bytes/sent	3596	2026-12-03 08:57:18.05126
446	old-broker	publish/messages/received	20	2026-12-03 08:57:18.051286
447	old-broker	publish/messages/sent	474	2026-12-03 08:57:18.05131
\.


--
-- Data for Name: broker_metrics_rollup; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.broker_metrics_rollup (broker, metric, bucket_width, bucket_start, samples, min, max, sum, last, last_ts) FROM stdin;
old-broker	heap/maximum	00:01:00	2026-12-03 08:57:00	4	852552	874600	3470832	874600	2026-12-03 08:57:17.007668
old-broker	heap/maximum	01:00:00	2026-12-03 08:00:00	4	852552	874600	3470832	874600	2026-12-03 08:57:17.007668
old-broker	clients/disconnected	00:01:00	2026-12-03 08:57:00	1	0	0	0	0	2026-12-03 08:57:07.810599
old-broker	clients/disconnected	01:00:00	2026-12-03 08:00:00	1	0	0	0	0	2026-12-03 08:57:07.810599
old-broker	clients/expired	00:01:00	2026-12-03 08:57:00	1	0	0	0	0	2026-12-03 08:57:07.810638
old-broker	clients/expired	01:00:00	2026-12-03 08:00:00	1	0	0	0	0	2026-12-03 08:57:07.810638
old-broker	clients/connected	00:01:00	2026-12-03 08:57:00	3	0	2	3	2	2026-12-03 08:57:10.008645
old-broker	clients/connected	01:00:00	2026-12-03 08:00:00	3	0	2	3	2	2026-12-03 08:57:10.008645
old-broker	clients/total	00:01:00	2026-12-03 08:57:00	3	0	2	3	2	2026-12-03 08:57:10.00837
old-broker	clients/total	01:00:00	2026-12-03 08:00:00	3	0	2	3	2	2026-12-03 08:57:10.00837
old-broker	conn-plugin/broker-wait/max-us	00:01:00	2026-12-03 08:57:00	2	0	0	0	0	2026-12-03 08:57:16.0072
old-broker	conn-plugin/broker-wait/max-us	01:00:00	2026-12-03 08:00:00	2	0	0	0	0	2026-12-03 08:57:16.0072
old-broker	conn-plugin/broker-wait/timeouts	00:01:00	2026-12-03 08:57:00	2	0	0	0	0	2026-12-03 08:57:16.007179
old-broker	conn-plugin/broker-wait/timeouts	01:00:00	2026-12-03 08:00:00	2	0	0	0	0	2026-12-03 08:57:16.007179
old-broker	heap/current	00:01:00	2026-12-03 08:57:00	4	852056	867408	3446984	867408	2026-12-03 08:57:11.008058
old-broker	heap/current	01:00:00	2026-12-03 08:00:00	4	852056	867408	3446984	867408	2026-12-03 08:57:11.008058
old-broker	conn-plugin/broker-wait/total-us	00:01:00	2026-12-03 08:57:00	2	0	0	0	0	2026-12-03 08:57:16.00719
old-broker	conn-plugin/broker-wait/total-us	01:00:00	2026-12-03 08:00:00	2	0	0	0	0	2026-12-03 08:57:16.00719
old-broker	conn-plugin/broker-wait/count	00:01:00	2026-12-03 08:57:00	2	0	0	0	0	2026-12-03 08:57:16.00717
old-broker	conn-plugin/broker-wait/count	01:00:00	2026-12-03 08:00:00	2	0	0	0	0	2026-12-03 08:57:16.00717
old-broker	conn-plugin/database/connected	00:01:00	2026-12-03 08:57:00	2	0	1	1	1	2026-12-03 08:57:16.00714
old-broker	conn-plugin/database/connected	01:00:00	2026-12-03 08:00:00	2	0	1	1	1	2026-12-03 08:57:16.00714
old-broker	conn-plugin/events/dead-lettered	00:01:00	2026-12-03 08:57:00	2	0	0	0	0	2026-12-03 08:57:16.007126
old-broker	conn-plugin/events/dead-lettered	01:00:00	2026-12-03 08:00:00	2	0	0	0	0	2026-12-03 08:57:16.007126
old-broker	load/publish/dropped/15min	00:01:00	2026-12-03 08:57:00	1	0	0	0	0	2026-12-03 08:57:07.825447
old-broker	load/publish/dropped/15min	01:00:00	2026-12-03 08:00:00	1	0	0	0	0	2026-12-03 08:57:07.825447
old-broker	load/publish/dropped/1min	00:01:00	2026-12-03 08:57:00	1	0	0	0	0	2026-12-03 08:57:07.825409
old-broker	load/publish/dropped/1min	01:00:00	2026-12-03 08:00:00	1	0	0	0	0	2026-12-03 08:57:07.825409
old-broker	load/publish/dropped/5min	00:01:00	2026-12-03 08:57:00	1	0	0	0	0	2026-12-03 08:57:07.825428
old-broker	load/publish/dropped/5min	01:00:00	2026-12-03 08:00:00	1	0	0	0	0	2026-12-03 08:57:07.825428
old-broker	packet/out/bytes	00:01:00	2026-12-03 08:57:00	1	0	0	0	0	2026-12-03 08:57:07.820857
old-broker	packet/out/bytes	01:00:00	2026-12-03 08:00:00	1	0	0	0	0	2026-12-03 08:57:07.820857
old-broker	packet/out/count	00:01:00	2026-12-03 08:57:00	1	0	0	0	0	2026-12-03 08:57:07.820842
old-broker	packet/out/count	01:00:00	2026-12-03 08:00:00	1	0	0	0	0	2026-12-03 08:57:07.820842
old-broker	publish/bytes/received	00:01:00	2026-12-03 08:57:00	1	0	0	0	0	2026-12-03 08:57:07.82071
old-broker	publish/bytes/received	01:00:00	2026-12-03 08:00:00	1	0	0	0	0	2026-12-03 08:57:07.82071
old-broker	load/sockets/5min	00:01:00	2026-12-03 08:57:00	9	0	1.58	7.13	1.58	2026-12-03 08:57:16.008429
old-broker	load/sockets/5min	01:00:00	2026-12-03 08:00:00	9	0	1.58	7.13	1.58	2026-12-03 08:57:16.008429
old-broker	load/connections/15min	00:01:00	2026-12-03 08:57:00	9	0	0.53	2.3899999999999997	0.53	2026-12-03 08:57:16.008526
old-broker	load/connections/15min	01:00:00	2026-12-03 08:00:00	9	0	0.53	2.3899999999999997	0.53	2026-12-03 08:57:16.008526
old-broker	load/connections/5min	00:01:00	2026-12-03 08:57:00	9	0	1.58	7.13	1.58	2026-12-03 08:57:16.008503
old-broker	load/connections/5min	01:00:00	2026-12-03 08:00:00	9	0	1.58	7.13	1.58	2026-12-03 08:57:16.008503
old-broker	load/sockets/15min	00:01:00	2026-12-03 08:57:00	9	0	0.53	2.3899999999999997	0.53	2026-12-03 08:57:16.00846
old-broker	load/sockets/15min	01:00:00	2026-12-03 08:00:00	9	0	0.53	2.3899999999999997	0.53	2026-12-03 08:57:16.00846
old-broker	publish/messages/dropped	00:01:00	2026-12-03 08:57:00	1	0	0	0	0	2026-12-03 08:57:07.820786
old-broker	publish/messages/dropped	01:00:00	2026-12-03 08:00:00	1	0	0	0	0	2026-12-03 08:57:07.820786
old-broker	shared_subscriptions/count	00:01:00	2026-12-03 08:57:00	1	0	0	0	0	2026-12-03 08:57:07.810962
old-broker	shared_subscriptions/count	01:00:00	2026-12-03 08:00:00	1	0	0	0	0	2026-12-03 08:57:07.810962
old-broker	bytes/received	00:01:00	2026-12-03 08:57:00	12	0	4227	26452	4227	2026-12-03 08:57:18.051208
old-broker	bytes/received	01:00:00	2026-12-03 08:00:00	12	0	4227	26452	4227	2026-12-03 08:57:18.051208
old-broker	bytes/sent	00:01:00	2026-12-03 08:57:00	12	0	23505	151410	23505	2026-12-03 08:57:18.051234
old-broker	bytes/sent	01:00:00	2026-12-03 08:00:00	12	0	23505	151410	23505	2026-12-03 08:57:18.051234
old-broker	load/bytes/received/15min	00:01:00	2026-12-03 08:57:00	12	0	280	1755.8500000000001	280	2026-12-03 08:57:18.007458
old-broker	load/bytes/received/15min	01:00:00	2026-12-03 08:00:00	12	0	280	1755.8500000000001	280	2026-12-03 08:57:18.007458
old-broker	load/bytes/received/1min	00:01:00	2026-12-03 08:57:00	12	0	3845.41	24812.600000000002	3845.41	2026-12-03 08:57:18.007408
old-broker	load/bytes/received/1min	01:00:00	2026-12-03 08:00:00	12	0	3845.41	24812.600000000002	3845.41	2026-12-03 08:57:18.007408
old-broker	load/bytes/received/5min	00:01:00	2026-12-03 08:57:00	12	0	829.37	5222.28	829.37	2026-12-03 08:57:18.007433
old-broker	retained messages/count	00:01:00	2026-12-03 08:57:00	2	69	70	139	70	2026-12-03 08:57:11.00805
old-broker	retained messages/count	01:00:00	2026-12-03 08:00:00	2	69	70	139	70	2026-12-03 08:57:11.00805
old-broker	store/messages/count	00:01:00	2026-12-03 08:57:00	2	69	70	139	70	2026-12-03 08:57:11.008033
old-broker	store/messages/count	01:00:00	2026-12-03 08:00:00	2	69	70	139	70	2026-12-03 08:57:11.008033
old-broker	load/bytes/received/5min	01:00:00	2026-12-03 08:00:00	12	0	829.37	5222.28	829.37	2026-12-03 08:57:18.007433
old-broker	clients/maximum	00:01:00	2026-12-03 08:57:00	1	2	2	2	2	2026-12-03 08:57:10.008521
old-broker	clients/maximum	01:00:00	2026-12-03 08:00:00	1	2	2	2	2	2026-12-03 08:57:10.008521
old-broker	load/bytes/sent/15min	00:01:00	2026-12-03 08:57:00	12	0	1487.1	9590.79	1487.1	2026-12-03 08:57:18.007532
old-broker	load/bytes/sent/15min	01:00:00	2026-12-03 08:00:00	12	0	1487.1	9590.79	1487.1	2026-12-03 08:57:18.007532
old-broker	load/bytes/sent/1min	00:01:00	2026-12-03 08:57:00	12	0	19458.94	129645.90000000001	19458.94	2026-12-03 08:57:18.007482
old-broker	load/bytes/sent/1min	01:00:00	2026-12-03 08:00:00	12	0	19458.94	129645.90000000001	19458.94	2026-12-03 08:57:18.007482
old-broker	load/bytes/sent/5min	00:01:00	2026-12-03 08:57:00	12	0	4306.07	27931.83	4306.07	2026-12-03 08:57:18.007508
old-broker	load/bytes/sent/5min	01:00:00	2026-12-03 08:00:00	12	0	4306.07	27931.83	4306.07	2026-12-03 08:57:18.007508
old-broker	load/connections/1min	00:01:00	2026-12-03 08:57:00	12	0	7.48	49.8	7.23	2026-12-03 08:57:18.050978
old-broker	load/connections/1min	01:00:00	2026-12-03 08:00:00	12	0	7.48	49.8	7.23	2026-12-03 08:57:18.050978
old-broker	load/messages/received/15min	00:01:00	2026-12-03 08:57:00	12	0	59.15	373.28999999999996	59.15	2026-12-03 08:57:18.007173
old-broker	load/messages/received/15min	01:00:00	2026-12-03 08:00:00	12	0	59.15	373.28999999999996	59.15	2026-12-03 08:57:18.007173
old-broker	load/messages/received/1min	00:01:00	2026-12-03 08:57:00	12	0	811.87	5272.86	811.87	2026-12-03 08:57:18.007043
old-broker	load/messages/received/1min	01:00:00	2026-12-03 08:00:00	12	0	811.87	5272.86	811.87	2026-12-03 08:57:18.007043
old-broker	load/messages/received/5min	00:01:00	2026-12-03 08:57:00	12	0	175.19	1110.21	175.19	2026-12-03 08:57:18.007077
old-broker	load/messages/received/5min	01:00:00	2026-12-03 08:00:00	12	0	175.19	1110.21	175.19	2026-12-03 08:57:18.007077
old-broker	load/messages/sent/15min	00:01:00	2026-12-03 08:57:00	12	0	50.46	329.32	50.46	2026-12-03 08:57:18.007244
old-broker	load/messages/sent/15min	01:00:00	2026-12-03 08:00:00	12	0	50.46	329.32	50.46	2026-12-03 08:57:18.007244
old-broker	load/messages/sent/1min	00:01:00	2026-12-03 08:57:00	12	0	670.27	4518.13	670.27	2026-12-03 08:57:18.007198
old-broker	load/messages/sent/1min	01:00:00	2026-12-03 08:00:00	12	0	670.27	4518.13	670.27	2026-12-03 08:57:18.007198
old-broker	load/messages/sent/5min	00:01:00	2026-12-03 08:57:00	12	0	147.23	966.06	147.23	2026-12-03 08:57:18.00722
old-broker	subscriptions/count	00:01:00	2026-12-03 08:57:00	3	0	2	3	2	2026-12-03 08:57:10.008688
old-broker	subscriptions/count	01:00:00	2026-12-03 08:00:00	3	0	2	3	2	2026-12-03 08:57:10.008688
old-broker	load/messages/sent/5min	01:00:00	2026-12-03 08:00:00	12	0	147.23	966.06	147.23	2026-12-03 08:57:18.00722
old-broker	load/publish/received/15min	00:01:00	2026-12-03 08:57:00	11	0	1.33	7.300000000000001	1.33	2026-12-03 08:57:18.007313
old-broker	load/publish/received/15min	01:00:00	2026-12-03 08:00:00	11	0	1.33	7.300000000000001	1.33	2026-12-03 08:57:18.007313
old-broker	load/publish/received/1min	00:01:00	2026-12-03 08:57:00	11	0	18.42	103.84	18.42	2026-12-03 08:57:18.007268
old-broker	load/publish/received/1min	01:00:00	2026-12-03 08:00:00	11	0	18.42	103.84	18.42	2026-12-03 08:57:18.007268
old-broker	load/publish/received/5min	00:01:00	2026-12-03 08:57:00	11	0	3.93	21.75	3.93	2026-12-03 08:57:18.00729
old-broker	load/publish/received/5min	01:00:00	2026-12-03 08:00:00	11	0	3.93	21.75	3.93	2026-12-03 08:57:18.00729
old-broker	load/publish/sent/15min	00:01:00	2026-12-03 08:57:00	12	0	25.36	167.89	25.36	2026-12-03 08:57:18.007385
old-broker	load/publish/sent/15min	01:00:00	2026-12-03 08:00:00	12	0	25.36	167.89	25.36	2026-12-03 08:57:18.007385
old-broker	load/publish/sent/1min	00:01:00	2026-12-03 08:57:00	12	0	326.38	2239.77	326.38	2026-12-03 08:57:18.007336
old-broker	load/publish/sent/1min	01:00:00	2026-12-03 08:00:00	12	0	326.38	2239.77	326.38	2026-12-03 08:57:18.007336
old-broker	load/publish/sent/5min	00:01:00	2026-12-03 08:57:00	12	0	72.9	486.03	72.9	2026-12-03 08:57:18.00736
old-broker	load/publish/sent/5min	01:00:00	2026-12-03 08:00:00	12	0	72.9	486.03	72.9	2026-12-03 08:57:18.00736
old-broker	load/sockets/1min	00:01:00	2026-12-03 08:57:00	12	0	7.48	49.8	7.23	2026-12-03 08:57:18.007556
old-broker	load/sockets/1min	01:00:00	2026-12-03 08:00:00	12	0	7.48	49.8	7.23	2026-12-03 08:57:18.007556
old-broker	messages/received	00:01:00	2026-12-03 08:57:00	12	0	893	5624	893	2026-12-03 08:57:18.051103
old-broker	messages/received	01:00:00	2026-12-03 08:00:00	12	0	893	5624	893	2026-12-03 08:57:18.051103
old-broker	messages/sent	00:01:00	2026-12-03 08:57:00	12	0	916	5886	916	2026-12-03 08:57:18.051176
old-broker	messages/sent	01:00:00	2026-12-03 08:00:00	12	0	916	5886	916	2026-12-03 08:57:18.051176
old-broker	publish/bytes/sent	00:01:00	2026-12-03 08:57:00	12	0	3596	22086	3596	2026-12-03 08:57:18.05126
old-broker	publish/bytes/sent	01:00:00	2026-12-03 08:00:00	12	0	3596	22086	3596	2026-12-03 08:57:18.05126
old-broker	publish/messages/received	00:01:00	2026-12-03 08:57:00	11	0	20	110	20	2026-12-03 08:57:18.051286
old-broker	publish/messages/received	01:00:00	2026-12-03 08:00:00	11	0	20	110	20	2026-12-03 08:57:18.051286
old-broker	publish/messages/sent	00:01:00	2026-12-03 08:57:00	12	0	474	3091	474	2026-12-03 08:57:18.05131
old-broker	publish/messages/sent	01:00:00	2026-12-03 08:00:00	12	0	474	3091	474	2026-12-03 08:57:18.05131
old-broker	store/messages/bytes	00:01:00	2026-12-03 08:57:00	10	195	252	2351	252	2026-12-03 08:57:17.007648
old-broker	store/messages/bytes	01:00:00	2026-12-03 08:00:00	10	195	252	2351	252	2026-12-03 08:57:17.007648
old-broker	uptime	00:01:00	2026-12-03 08:57:00	12	1	12	78	12	2026-12-03 08:57:18.006653
old-broker	uptime	01:00:00	2026-12-03 08:00:00	12	1	12	78	12	2026-12-03 08:57:18.006653
old-broker	conn-plugin/events/dropped	00:01:00	2026-12-03 08:57:00	2	0	0	0	0	2026-12-03 08:57:16.007113
old-broker	conn-plugin/events/dropped	01:00:00	2026-12-03 08:00:00	2	0	0	0	0	2026-12-03 08:57:16.007113
old-broker	conn-plugin/events/queued	00:01:00	2026-12-03 08:57:00	2	0	0	0	0	2026-12-03 08:57:16.00708
old-broker	conn-plugin/events/queued	01:00:00	2026-12-03 08:00:00	2	0	0	0	0	2026-12-03 08:57:16.00708
old-broker	conn-plugin/events/seen	00:01:00	2026-12-03 08:57:00	2	0	14	14	14	2026-12-03 08:57:16.007043
old-broker	conn-plugin/events/seen	01:00:00	2026-12-03 08:00:00	2	0	14	14	14	2026-12-03 08:57:16.007043
old-broker	conn-plugin/events/spooled	00:01:00	2026-12-03 08:57:00	2	0	0	0	0	2026-12-03 08:57:16.007091
old-broker	conn-plugin/events/spooled	01:00:00	2026-12-03 08:00:00	2	0	0	0	0	2026-12-03 08:57:16.007091
old-broker	conn-plugin/events/written	00:01:00	2026-12-03 08:57:00	2	0	14	14	14	2026-12-03 08:57:16.007067
old-broker	conn-plugin/events/written	01:00:00	2026-12-03 08:00:00	2	0	14	14	14	2026-12-03 08:57:16.007067
old-broker	conn-plugin/spool/bytes	00:01:00	2026-12-03 08:57:00	2	0	0	0	0	2026-12-03 08:57:16.007104
old-broker	conn-plugin/spool/bytes	01:00:00	2026-12-03 08:00:00	2	0	0	0	0	2026-12-03 08:57:16.007104
old-broker	conn-plugin/write/batch-size	00:01:00	2026-12-03 08:57:00	2	0	1	1	1	2026-12-03 08:57:16.00716
old-broker	conn-plugin/write/batch-size	01:00:00	2026-12-03 08:00:00	2	0	1	1	1	2026-12-03 08:57:16.00716
old-broker	conn-plugin/write/latency-us	00:01:00	2026-12-03 08:57:00	2	0	12023	12023	12023	2026-12-03 08:57:16.00715
old-broker	conn-plugin/write/latency-us	01:00:00	2026-12-03 08:00:00	2	0	12023	12023	12023	2026-12-03 08:57:16.00715
old-broker	connections/socket/count	00:01:00	2026-12-03 08:57:00	9	0	8	36	8	2026-12-03 08:57:16.008863
old-broker	connections/socket/count	01:00:00	2026-12-03 08:00:00	9	0	8	36	8	2026-12-03 08:57:16.008863
\.


--
-- Data for Name: broker_status; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.broker_status (broker_id, boot_id, version, started_at, last_seen, stopped_at, status_interval_s, plugin_version, reporter, ingester_last_seen) FROM stdin;
old-broker	c877959adb40cf8b	\N	2026-12-03 08:57:05.802431+00	2026-12-03 08:57:20.319352+00	2026-12-03 08:57:20.319352+00	10	conn-plugin 0.2.0	conn-plugin	2026-12-03 08:57:18.310026+00
\.


--
-- Data for Name: client_broker_presence; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.client_broker_presence (client_id, broker_id, username, state, since, last_event_ts, boot_id, peer, protocol) FROM stdin;
old-client-1	old-broker	\N	ended	2026-12-03 08:57:10.76734+00	2026-12-03 08:57:10.76734+00	c877959adb40cf8b	127.0.0.1	MQTT/3.1.1
old-client-2	old-broker	\N	ended	2026-12-03 08:57:11.774475+00	2026-12-03 08:57:11.774475+00	c877959adb40cf8b	127.0.0.1	MQTT/3.1.1
old-client-3	old-broker	\N	ended	2026-12-03 08:57:12.780768+00	2026-12-03 08:57:12.780768+00	c877959adb40cf8b	127.0.0.1	MQTT/3.1.1
old-client-4	old-broker	\N	ended	2026-12-03 08:57:13.7892+00	2026-12-03 08:57:13.7892+00	c877959adb40cf8b	127.0.0.1	MQTT/3.1.1
old-client-5	old-broker	\N	ended	2026-12-03 08:57:14.800062+00	2026-12-03 08:57:14.800062+00	c877959adb40cf8b	127.0.0.1	MQTT/3.1.1
old-dropper	old-broker	\N	ended	2026-12-03 08:57:15.307112+00	2026-12-03 08:57:15.307112+00	c877959adb40cf8b	127.0.0.1	MQTT/3.1.1
old-stays	old-broker	\N	ended	2026-12-03 08:57:18.315266+00	2026-12-03 08:57:18.315266+00	c877959adb40cf8b	127.0.0.1	MQTT/3.1.1
sys-ingester-2c55e30b	old-broker	\N	ended	2026-12-03 08:57:20.31719+00	2026-12-03 08:57:20.31719+00	c877959adb40cf8b	127.0.0.1	MQTT/3.1.1
\.


--
-- Data for Name: client_conn_events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.client_conn_events (id, ts, event_type, client_id, username, peer, protocol, reason_code, extra) FROM stdin;
1	2026-12-03 08:57:07.807382+00	connect	sys-ingester-2c55e30b	\N	127.0.0.1	MQTT/3.1.1	\N	{"seq": 1, "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:1", "keepalive": 60, "transport": "tcp", "clean_start": false, "listener_port": 18831, "session_state": "connected", "connection_seq": 1, "session_persists": false, "client_certificate": false}
2	2026-12-03 08:57:09.763664+00	connect	old-client-1	\N	127.0.0.1	MQTT/3.1.1	\N	{"seq": 2, "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:2", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "connected", "connection_seq": 2, "session_persists": false, "client_certificate": false}
3	2026-12-03 08:57:10.76734+00	disconnect	old-client-1	\N	127.0.0.1	MQTT/3.1.1	0	{"seq": 3, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:3", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 2, "session_persists": false, "client_certificate": false}
4	2026-12-03 08:57:10.77394+00	connect	old-client-2	\N	127.0.0.1	MQTT/3.1.1	\N	{"seq": 4, "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:4", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "connected", "connection_seq": 3, "session_persists": false, "client_certificate": false}
5	2026-12-03 08:57:11.774475+00	disconnect	old-client-2	\N	127.0.0.1	MQTT/3.1.1	0	{"seq": 5, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:5", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 3, "session_persists": false, "client_certificate": false}
6	2026-12-03 08:57:11.782997+00	connect	old-client-3	\N	127.0.0.1	MQTT/3.1.1	\N	{"seq": 6, "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:6", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "connected", "connection_seq": 4, "session_persists": false, "client_certificate": false}
7	2026-12-03 08:57:12.780768+00	disconnect	old-client-3	\N	127.0.0.1	MQTT/3.1.1	0	{"seq": 7, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:7", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 4, "session_persists": false, "client_certificate": false}
8	2026-12-03 08:57:12.788391+00	connect	old-client-4	\N	127.0.0.1	MQTT/3.1.1	\N	{"seq": 8, "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:8", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "connected", "connection_seq": 5, "session_persists": false, "client_certificate": false}
9	2026-12-03 08:57:13.7892+00	disconnect	old-client-4	\N	127.0.0.1	MQTT/3.1.1	0	{"seq": 9, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:9", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 5, "session_persists": false, "client_certificate": false}
10	2026-12-03 08:57:13.799194+00	connect	old-client-5	\N	127.0.0.1	MQTT/3.1.1	\N	{"seq": 10, "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:10", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "connected", "connection_seq": 6, "session_persists": false, "client_certificate": false}
11	2026-12-03 08:57:14.800062+00	disconnect	old-client-5	\N	127.0.0.1	MQTT/3.1.1	0	{"seq": 11, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:11", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 6, "session_persists": false, "client_certificate": false}
12	2026-12-03 08:57:14.805307+00	connect	old-dropper	\N	127.0.0.1	MQTT/3.1.1	\N	{"seq": 12, "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:12", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "connected", "connection_seq": 7, "session_persists": false, "client_certificate": false}
13	2026-12-03 08:57:15.307112+00	disconnect	old-dropper	\N	127.0.0.1	MQTT/3.1.1	7	{"seq": 13, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:13", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 7, "session_persists": false, "client_certificate": false}
14	2026-12-03 08:57:15.30793+00	connect	old-stays	\N	127.0.0.1	MQTT/3.1.1	\N	{"seq": 14, "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:14", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "connected", "connection_seq": 8, "session_persists": false, "client_certificate": false}
15	2026-12-03 08:57:18.311396+00	disconnect	sys-ingester-2c55e30b	\N	127.0.0.1	MQTT/3.1.1	0	{"seq": 15, "cause": "client_offline", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:15", "keepalive": 60, "transport": "tcp", "clean_start": false, "listener_port": 18831, "session_state": "kept", "connection_seq": 1, "session_persists": true, "client_certificate": false}
16	2026-12-03 08:57:18.315266+00	disconnect	old-stays	\N	127.0.0.1	MQTT/3.1.1	0	{"seq": 16, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:16", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 8, "session_persists": false, "client_certificate": false}
\.


--
-- Data for Name: client_daily_stats; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.client_daily_stats (day, broker_id, client_id, connects, disconnects, unclean_disconnects, online_seconds) FROM stdin;
2026-12-03	old-broker	old-client-1	1	1	0	1.003676
2026-12-03	old-broker	old-client-2	1	1	0	1.000535
2026-12-03	old-broker	old-client-3	1	1	0	0.997771
2026-12-03	old-broker	old-client-4	1	1	0	1.000809
2026-12-03	old-broker	old-client-5	1	1	0	1.000868
2026-12-03	old-broker	old-dropper	1	1	1	0.501805
2026-12-03	old-broker	sys-ingester-2c55e30b	1	1	0	10.504014
2026-12-03	old-broker	old-stays	1	1	0	3.007336
\.


--
-- Data for Name: client_session_ends; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.client_session_ends (id, ts, client_id, broker_id, cause, event_key, extra) FROM stdin;
1	2026-12-03 08:57:20.31719+00	sys-ingester-2c55e30b	old-broker	broker_shutdown	c877959adb40cf8b:17	{"seq": 17, "cause": "broker_shutdown", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:17", "session_state": "ended", "connection_seq": 0, "session_persists": false}
\.


--
-- Data for Name: client_sessions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.client_sessions (client_id, username, last_event_ts, last_event_type, last_connect_ts, last_disconnect_ts, last_peer, last_protocol, last_reason_code, extra) FROM stdin;
old-client-1	\N	2026-12-03 08:57:10.76734+00	disconnect	2026-12-03 08:57:09.763664+00	2026-12-03 08:57:10.76734+00	127.0.0.1	MQTT/3.1.1	0	{"seq": 3, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:3", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 2, "session_persists": false, "client_certificate": false}
old-client-2	\N	2026-12-03 08:57:11.774475+00	disconnect	2026-12-03 08:57:10.77394+00	2026-12-03 08:57:11.774475+00	127.0.0.1	MQTT/3.1.1	0	{"seq": 5, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:5", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 3, "session_persists": false, "client_certificate": false}
old-client-3	\N	2026-12-03 08:57:12.780768+00	disconnect	2026-12-03 08:57:11.782997+00	2026-12-03 08:57:12.780768+00	127.0.0.1	MQTT/3.1.1	0	{"seq": 7, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:7", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 4, "session_persists": false, "client_certificate": false}
old-client-4	\N	2026-12-03 08:57:13.7892+00	disconnect	2026-12-03 08:57:12.788391+00	2026-12-03 08:57:13.7892+00	127.0.0.1	MQTT/3.1.1	0	{"seq": 9, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:9", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 5, "session_persists": false, "client_certificate": false}
old-client-5	\N	2026-12-03 08:57:14.800062+00	disconnect	2026-12-03 08:57:13.799194+00	2026-12-03 08:57:14.800062+00	127.0.0.1	MQTT/3.1.1	0	{"seq": 11, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:11", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 6, "session_persists": false, "client_certificate": false}
old-dropper	\N	2026-12-03 08:57:15.307112+00	disconnect	2026-12-03 08:57:14.805307+00	2026-12-03 08:57:15.307112+00	127.0.0.1	MQTT/3.1.1	7	{"seq": 13, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:13", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 7, "session_persists": false, "client_certificate": false}
old-stays	\N	2026-12-03 08:57:18.315266+00	disconnect	2026-12-03 08:57:15.30793+00	2026-12-03 08:57:18.315266+00	127.0.0.1	MQTT/3.1.1	0	{"seq": 16, "cause": "disconnect", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:16", "keepalive": 60, "transport": "tcp", "clean_start": true, "listener_port": 18831, "session_state": "ended", "connection_seq": 8, "session_persists": false, "client_certificate": false}
sys-ingester-2c55e30b	\N	2026-12-03 08:57:18.311396+00	disconnect	2026-12-03 08:57:07.807382+00	2026-12-03 08:57:18.311396+00	127.0.0.1	MQTT/3.1.1	0	{"seq": 15, "cause": "client_offline", "boot_id": "c877959adb40cf8b", "broker_id": "old-broker", "event_key": "c877959adb40cf8b:15", "keepalive": 60, "transport": "tcp", "clean_start": false, "listener_port": 18831, "session_state": "ended", "connection_seq": 1, "session_ended_at": "2026-12-03T08:57:20.31719+00:00", "session_persists": true, "session_end_cause": "broker_shutdown", "client_certificate": false}
\.


--
-- Data for Name: clients; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.clients (id, client, username, first_seen, last_seen) FROM stdin;
1	old-client-1	\N	2026-12-03 08:57:09	2026-12-03 08:57:10
3	old-client-2	\N	2026-12-03 08:57:10	2026-12-03 08:57:11
5	old-client-3	\N	2026-12-03 08:57:11	2026-12-03 08:57:12
7	old-client-4	\N	2026-12-03 08:57:12	2026-12-03 08:57:13
9	old-client-5	\N	2026-12-03 08:57:13	2026-12-03 08:57:14
11	old-dropper	\N	2026-12-03 08:57:14	2026-12-03 08:57:15
13	old-stays	\N	2026-12-03 08:57:15	2026-12-03 08:57:15
\.


--
-- Data for Name: events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.events (id, ts, action, client, topic, qos, username, raw, broker) FROM stdin;
1	2026-12-03 08:57:07	subscribe	sys-ingester-2c55e30b	$SYS/broker/#	2	\N	1796288227: sys-ingester-2c55e30b 2 $SYS/broker/#	old-broker
2	2026-12-03 08:57:09	conn_info	\N	\N	\N	\N	1796288229: New connection from 127.0.0.1:33724 on port 18831.	old-broker
3	2026-12-03 08:57:09	connected	old-client-1	\N	\N	\N	1796288229: New client connected from 127.0.0.1:33724 as old-client-1 (p4, c1, k60).	old-broker
4	2026-12-03 08:57:09	subscribe	old-client-1	x	0	\N	1796288229: old-client-1 0 x	old-broker
5	2026-12-03 08:57:10	disconnected	old-client-1	\N	\N	\N	1796288230: Client old-client-1 [127.0.0.1:33724] disconnected.	old-broker
6	2026-12-03 08:57:10	conn_info	\N	\N	\N	\N	1796288230: New connection from 127.0.0.1:33734 on port 18831.	old-broker
7	2026-12-03 08:57:10	connected	old-client-2	\N	\N	\N	1796288230: New client connected from 127.0.0.1:33734 as old-client-2 (p4, c1, k60).	old-broker
8	2026-12-03 08:57:10	subscribe	old-client-2	x	0	\N	1796288230: old-client-2 0 x	old-broker
9	2026-12-03 08:57:11	disconnected	old-client-2	\N	\N	\N	1796288231: Client old-client-2 [127.0.0.1:33734] disconnected.	old-broker
10	2026-12-03 08:57:11	conn_info	\N	\N	\N	\N	1796288231: New connection from 127.0.0.1:38358 on port 18831.	old-broker
11	2026-12-03 08:57:11	connected	old-client-3	\N	\N	\N	1796288231: New client connected from 127.0.0.1:38358 as old-client-3 (p4, c1, k60).	old-broker
12	2026-12-03 08:57:11	subscribe	old-client-3	x	0	\N	1796288231: old-client-3 0 x	old-broker
13	2026-12-03 08:57:12	disconnected	old-client-3	\N	\N	\N	1796288232: Client old-client-3 [127.0.0.1:38358] disconnected.	old-broker
14	2026-12-03 08:57:12	conn_info	\N	\N	\N	\N	1796288232: New connection from 127.0.0.1:38364 on port 18831.	old-broker
15	2026-12-03 08:57:12	connected	old-client-4	\N	\N	\N	1796288232: New client connected from 127.0.0.1:38364 as old-client-4 (p4, c1, k60).	old-broker
16	2026-12-03 08:57:12	subscribe	old-client-4	x	0	\N	1796288232: old-client-4 0 x	old-broker
17	2026-12-03 08:57:13	disconnected	old-client-4	\N	\N	\N	1796288233: Client old-client-4 [127.0.0.1:38364] disconnected.	old-broker
18	2026-12-03 08:57:13	conn_info	\N	\N	\N	\N	1796288233: New connection from 127.0.0.1:38366 on port 18831.	old-broker
19	2026-12-03 08:57:13	connected	old-client-5	\N	\N	\N	1796288233: New client connected from 127.0.0.1:38366 as old-client-5 (p4, c1, k60).	old-broker
20	2026-12-03 08:57:13	subscribe	old-client-5	x	0	\N	1796288233: old-client-5 0 x	old-broker
21	2026-12-03 08:57:14	disconnected	old-client-5	\N	\N	\N	1796288234: Client old-client-5 [127.0.0.1:38366] disconnected.	old-broker
22	2026-12-03 08:57:14	conn_info	\N	\N	\N	\N	1796288234: New connection from 127.0.0.1:38370 on port 18831.	old-broker
23	2026-12-03 08:57:14	connected	old-dropper	\N	\N	\N	1796288234: New client connected from 127.0.0.1:38370 as old-dropper (p4, c1, k60).	old-broker
24	2026-12-03 08:57:14	subscribe	old-dropper	x	0	\N	1796288234: old-dropper 0 x	old-broker
25	2026-12-03 08:57:15	disconnected	old-dropper	\N	\N	\N	1796288235: Client old-dropper [127.0.0.1:38370] disconnected: connection closed by client.	old-broker
26	2026-12-03 08:57:15	conn_info	\N	\N	\N	\N	1796288235: New connection from 127.0.0.1:38384 on port 18831.	old-broker
27	2026-12-03 08:57:15	connected	old-stays	\N	\N	\N	1796288235: New client connected from 127.0.0.1:38384 as old-stays (p4, c1, k60).	old-broker
28	2026-12-03 08:57:15	subscribe	old-stays	x	0	\N	1796288235: old-stays 0 x	old-broker
\.


--
-- Data for Name: ingest_gaps; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.ingest_gaps (id, broker, kind, started_at, ended_at, sessions_closed, recorded_at) FROM stdin;
\.


--
-- Data for Name: maintenance_runs; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.maintenance_runs (id, job, run_by, started_at, finished_at, rows_deleted, outcome, detail) FROM stdin;
\.


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.sessions (id, client_id, client, username, start_ts, end_ts, broker) FROM stdin;
1	1	old-client-1	\N	2026-12-03 08:57:09	2026-12-03 08:57:10	old-broker
2	3	old-client-2	\N	2026-12-03 08:57:10	2026-12-03 08:57:11	old-broker
3	5	old-client-3	\N	2026-12-03 08:57:11	2026-12-03 08:57:12	old-broker
4	7	old-client-4	\N	2026-12-03 08:57:12	2026-12-03 08:57:13	old-broker
5	9	old-client-5	\N	2026-12-03 08:57:13	2026-12-03 08:57:14	old-broker
6	11	old-dropper	\N	2026-12-03 08:57:14	2026-12-03 08:57:15	old-broker
7	13	old-stays	\N	2026-12-03 08:57:15	\N	old-broker
\.


--
-- Data for Name: subscriptions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.subscriptions (id, session_id, client, topic, qos, active, created_at, updated_at) FROM stdin;
1	1	old-client-1	x	0	t	2026-12-03 08:57:09	2026-12-03 08:57:09
2	2	old-client-2	x	0	t	2026-12-03 08:57:10	2026-12-03 08:57:10
3	3	old-client-3	x	0	t	2026-12-03 08:57:11	2026-12-03 08:57:11
4	4	old-client-4	x	0	t	2026-12-03 08:57:12	2026-12-03 08:57:12
5	5	old-client-5	x	0	t	2026-12-03 08:57:13	2026-12-03 08:57:13
6	6	old-dropper	x	0	t	2026-12-03 08:57:14	2026-12-03 08:57:14
7	7	old-stays	x	0	t	2026-12-03 08:57:15	2026-12-03 08:57:15
\.


--
-- Name: broker_metrics_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.broker_metrics_id_seq', 447, true);


--
-- Name: client_conn_events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.client_conn_events_id_seq', 16, true);


--
-- Name: client_session_ends_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.client_session_ends_id_seq', 1, true);


--
-- Name: clients_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.clients_id_seq', 13, true);


--
-- Name: events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.events_id_seq', 28, true);


--
-- Name: ingest_gaps_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.ingest_gaps_id_seq', 1, false);


--
-- Name: maintenance_runs_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.maintenance_runs_id_seq', 1, false);


--
-- Name: sessions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.sessions_id_seq', 7, true);


--
-- Name: subscriptions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.subscriptions_id_seq', 7, true);


--
-- Name: broker_metrics broker_metrics_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broker_metrics
    ADD CONSTRAINT broker_metrics_pkey PRIMARY KEY (id);


--
-- Name: broker_metrics_rollup broker_metrics_rollup_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broker_metrics_rollup
    ADD CONSTRAINT broker_metrics_rollup_pkey PRIMARY KEY (broker, metric, bucket_width, bucket_start);


--
-- Name: broker_status broker_status_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.broker_status
    ADD CONSTRAINT broker_status_pkey PRIMARY KEY (broker_id);


--
-- Name: client_broker_presence client_broker_presence_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_broker_presence
    ADD CONSTRAINT client_broker_presence_pkey PRIMARY KEY (client_id, broker_id);


--
-- Name: client_conn_events client_conn_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_conn_events
    ADD CONSTRAINT client_conn_events_pkey PRIMARY KEY (id);


--
-- Name: client_daily_stats client_daily_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_daily_stats
    ADD CONSTRAINT client_daily_stats_pkey PRIMARY KEY (day, broker_id, client_id);


--
-- Name: client_session_ends client_session_ends_event_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_session_ends
    ADD CONSTRAINT client_session_ends_event_key_key UNIQUE (event_key);


--
-- Name: client_session_ends client_session_ends_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_session_ends
    ADD CONSTRAINT client_session_ends_pkey PRIMARY KEY (id);


--
-- Name: client_sessions client_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_sessions
    ADD CONSTRAINT client_sessions_pkey PRIMARY KEY (client_id);


--
-- Name: clients clients_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clients
    ADD CONSTRAINT clients_pkey PRIMARY KEY (id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);


--
-- Name: ingest_gaps ingest_gaps_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ingest_gaps
    ADD CONSTRAINT ingest_gaps_pkey PRIMARY KEY (id);


--
-- Name: maintenance_runs maintenance_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.maintenance_runs
    ADD CONSTRAINT maintenance_runs_pkey PRIMARY KEY (id);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);


--
-- Name: subscriptions subscriptions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subscriptions
    ADD CONSTRAINT subscriptions_pkey PRIMARY KEY (id);


--
-- Name: broker_metrics_broker_metric_ts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broker_metrics_broker_metric_ts_idx ON public.broker_metrics USING btree (broker, metric, ts DESC);


--
-- Name: broker_metrics_rollup_bucket_start_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX broker_metrics_rollup_bucket_start_idx ON public.broker_metrics_rollup USING btree (bucket_start);


--
-- Name: client_broker_presence_broker_state_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX client_broker_presence_broker_state_idx ON public.client_broker_presence USING btree (broker_id, state);


--
-- Name: client_conn_events_client_ts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX client_conn_events_client_ts_idx ON public.client_conn_events USING btree (client_id, ts DESC);


--
-- Name: client_conn_events_event_key_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX client_conn_events_event_key_idx ON public.client_conn_events USING btree (((extra ->> 'event_key'::text)));


--
-- Name: client_conn_events_ts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX client_conn_events_ts_idx ON public.client_conn_events USING btree (ts DESC);


--
-- Name: client_daily_stats_client_day_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX client_daily_stats_client_day_idx ON public.client_daily_stats USING btree (client_id, day DESC);


--
-- Name: client_session_ends_client_ts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX client_session_ends_client_ts_idx ON public.client_session_ends USING btree (client_id, ts DESC);


--
-- Name: client_sessions_ts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX client_sessions_ts_idx ON public.client_sessions USING btree (last_event_ts DESC);


--
-- Name: clients_client_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX clients_client_unique ON public.clients USING btree (client);


--
-- Name: events_action_ts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_action_ts_idx ON public.events USING btree (action, ts DESC);


--
-- Name: events_ts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_ts_idx ON public.events USING btree (ts DESC);


--
-- Name: ingest_gaps_broker_started_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ingest_gaps_broker_started_idx ON public.ingest_gaps USING btree (broker, started_at DESC);


--
-- Name: maintenance_runs_job_started_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX maintenance_runs_job_started_idx ON public.maintenance_runs USING btree (job, started_at DESC);


--
-- Name: sessions_client_ts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_client_ts_idx ON public.sessions USING btree (client, start_ts);


--
-- Name: sessions_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_open_idx ON public.sessions USING btree (broker, client) WHERE (end_ts IS NULL);


--
-- Name: subscriptions_client_topic_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX subscriptions_client_topic_idx ON public.subscriptions USING btree (client, topic);


--
-- Name: sessions sessions_client_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_client_id_fkey FOREIGN KEY (client_id) REFERENCES public.clients(id) ON DELETE SET NULL;


--
-- Name: subscriptions subscriptions_session_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subscriptions
    ADD CONSTRAINT subscriptions_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.sessions(id) ON DELETE SET NULL;


--
-- PostgreSQL database dump complete
--


