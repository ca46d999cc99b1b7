import Foundation
import Hummingbird
import Locking
import Logging
import NIOCore

/// The dashboard's routes: four pages, the JSON API behind them, the login form, and (when they
/// share the port) the ingester's metrics endpoints. Every handler answers itself: a bad parameter
/// is a 400 naming it, an unreachable database a 503, never a stack trace.
struct DashboardRoutes: Sendable {
    let store: DashboardStore
    let tokenCheck: TokenCheck?
    let shared: DashboardServer.SharedEndpoints?
    let logger: Logger

    typealias Context = BasicRequestContext

    func router() -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: AccessMiddleware(tokenCheck: tokenCheck, shared: shared))
        router.get("/") { _, _ in await self.page { try await self.fleetPage() } }
        router.get("/clients") { request, _ in await self.page { try await self.clientsPage(request) } }
        router.get("/clients/:id") { request, context in
            await self.page { try await self.clientPage(request, rawID: context.parameters.get("id") ?? "") }
        }
        router.get("/droppers") { _, _ in await self.page { try await self.droppersPage() } }
        router.get("/login") { _, _ in Self.html(Pages.login(failed: false), status: .ok) }
        // Liveness of the dashboard itself (the metrics endpoints' /healthz, when they share the port).
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.post("/login") { request, _ in await self.login(request) }
        router.get("/api/v1/brokers") { request, _ in
            await self.api {
                _ = try Self.apiQuery(request, known: [])
                let sources = try await self.store.sources()
                let brokers = try await self.store.brokers(sources)
                return .object([("brokers", .array(brokers.map(\.json))), ("notices", .array(sources.notices.map { .string($0) }))])
            }
        }
        router.get("/api/v1/clients") { request, _ in
            await self.api {
                let query = try ClientListQuery.parse(try PercentEncoding.parseQuery(request.uri.query), strict: true)
                return try await self.store.clients(query, try await self.store.sources()).json
            }
        }
        router.get("/api/v1/clients/:id/events") { request, context in
            await self.api {
                let clientID = try Self.clientID(context.parameters.get("id"))
                let query = try EventQuery.parse(try PercentEncoding.parseQuery(request.uri.query), strict: true)
                return try await self.store.events(clientID: clientID, query, try await self.store.sources()).json
            }
        }
        router.get("/api/v1/clients/:id/daily") { request, context in
            await self.api {
                let clientID = try Self.clientID(context.parameters.get("id"))
                let days = try Self.days(try Self.apiQuery(request, known: ["days"])["days"])
                let rows = try await self.store.daily(clientID: clientID, days: days, try await self.store.sources())
                return .object([("days", .array(rows.map(\.json)))])
            }
        }
        router.get("/api/v1/droppers") { request, _ in
            await self.api {
                let limit = try APIParameters.limit(try Self.apiQuery(request, known: ["limit"])["limit"], default: 50)
                let (today, week) = try await self.store.droppers(limit: limit, try await self.store.sources())
                return .object([("today", .array(today.map(\.json))), ("week", .array(week.map(\.json)))])
            }
        }
        return router
    }

    // MARK: Pages

    private func fleetPage() async throws -> String {
        let sources = try await store.sources()
        return Pages.fleet(try await store.brokers(sources), sources: sources)
    }

    private func clientsPage(_ request: Request) async throws -> String {
        let query = try ClientListQuery.parse(try PercentEncoding.parseQuery(request.uri.query), strict: false)
        let sources = try await store.sources()
        let page = try await store.clients(query, sources)
        let brokers = try await store.brokerIDs(sources)
        return Pages.clients(page, query: query, brokers: brokers, sources: sources) { cursor in
            var parts: [String] = []
            if let broker = query.broker { parts.append("broker=\(PercentEncoding.encode(broker))") }
            if let state = query.state { parts.append("state=\(state.rawValue)") }
            if let prefix = query.prefix { parts.append("prefix=\(PercentEncoding.encode(prefix))") }
            if let username = query.username { parts.append("username=\(PercentEncoding.encode(username))") }
            parts.append("limit=\(query.limit)")
            parts.append("after=\(Cursor.encode(cursor))")
            return "/clients?" + parts.joined(separator: "&")
        }
    }

    private func clientPage(_ request: Request, rawID: String) async throws -> String {
        let clientID = try Self.clientID(rawID)
        let pairs = try PercentEncoding.parseQuery(request.uri.query)
        let days = try Self.days(pairs.first { $0.name == "days" }?.value)
        var query = try EventQuery.parse(pairs.filter { $0.name != "days" }, strict: false)
        if query.from == nil && query.to == nil {
            query.from = Timestamp(microseconds: Clocks.wallMicroseconds() - Int64(days) * 86_400_000_000)
        }
        let sources = try await store.sources()
        let events = try await store.events(clientID: clientID, query, sources)
        let daily = try await store.daily(clientID: clientID, days: days, sources)
        var presenceQuery = ClientListQuery(prefix: clientID, limit: 50)
        presenceQuery.prefix = clientID
        let presence = try await store.clients(presenceQuery, sources).clients.filter { $0.clientID == clientID }
        return Pages.client(
            clientID: clientID, days: days, events: events, daily: daily, presence: presence, sources: sources
        ) { cursor in
            "/clients/\(PercentEncoding.encode(clientID))?days=\(days)&after=\(Cursor.encode(cursor))"
        }
    }

    private func droppersPage() async throws -> String {
        let sources = try await store.sources()
        let (today, week) = try await store.droppers(limit: 50, sources)
        return Pages.droppers(today: today, week: week, sources: sources)
    }

    // MARK: Login

    private func login(_ request: Request) async -> Response {
        guard let tokenCheck else { return Self.redirect(to: "/") }
        let body = (try? await request.body.collect(upTo: 16 * 1024)).map { String(buffer: $0) } ?? ""
        let token = (try? PercentEncoding.parseQuery(body))?.first { $0.name == "token" }?.value ?? ""
        guard tokenCheck.accepts(formToken: token) else { return Self.html(Pages.login(failed: true), status: .unauthorized) }
        var response = Self.redirect(to: "/")
        response.setCookie(
            Cookie(
                name: TokenCheck.cookieName, value: PercentEncoding.encode(token), path: "/", httpOnly: true,
                sameSite: .strict))
        return response
    }

    // MARK: Answers

    private func page(_ render: () async throws -> String) async -> Response {
        do {
            return Self.html(try await render(), status: .ok)
        } catch let error as ParameterError {
            return Self.html(Pages.error(error.description, status: 400), status: .badRequest)
        } catch {
            logger.debug("A dashboard page failed.", metadata: ["ui.error": "\(error)"])
            return Self.html(Pages.error("\(error)", status: 503), status: .serviceUnavailable)
        }
    }

    private func api(_ answer: () async throws -> JSONValue) async -> Response {
        do {
            return Self.json(try await answer(), status: .ok)
        } catch let error as ParameterError {
            return Self.json(.object([("error", .string(error.description))]), status: .badRequest)
        } catch {
            logger.debug("A dashboard API call failed.", metadata: ["ui.error": "\(error)"])
            return Self.json(.object([("error", .string("\(error)"))]), status: .serviceUnavailable)
        }
    }

    static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                // Only this page's own inline style and script; nothing from another origin.
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
                .xContentTypeOptions: "nosniff",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store", .xContentTypeOptions: "nosniff"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: value.rendered + "\n")))
    }

    static func redirect(to path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }

    // MARK: Parameters

    /// The `{client_id}` path segment, percent-decoded here: the router leaves `%2F` in it, so an
    /// id holding `/` is one segment.
    static func clientID(_ raw: String?) throws(ParameterError) -> String {
        guard let raw, !raw.isEmpty, let id = PercentEncoding.decode(raw[...], plusIsSpace: false), !id.isEmpty else {
            throw ParameterError(parameter: "client_id", problem: "must be a percent-encoded client id in the path")
        }
        return id
    }

    static func days(_ text: String?) throws(ParameterError) -> Int {
        guard let text, !text.isEmpty else { return 7 }
        guard let days = Int(text), (1...90).contains(days) else {
            throw ParameterError(parameter: "days", problem: "must be a whole number from 1 to 90, not '\(APIParameters.quote(text))'")
        }
        return days
    }

    static func apiQuery(_ request: Request, known: Set<String>) throws(ParameterError) -> [String: String] {
        try APIParameters.collect(try PercentEncoding.parseQuery(request.uri.query), known: known, strict: true)
    }
}

/// The token check (when `--ui-token-file` is set) in front of every route but the login form and
/// the health checks; and the shared metrics endpoints.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let tokenCheck: TokenCheck?
    let shared: DashboardServer.SharedEndpoints?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        // Health checks answer without the token (load balancers and systemd probes have none).
        let open = path == "/login" || path == "/healthz" || path == "/readyz"
        if let tokenCheck, !open,
            !tokenCheck.accepts(
                authorization: request.headers[.authorization], cookie: request.cookies[TokenCheck.cookieName]?.value)
        {
            if path.hasPrefix("/api/") || path == "/metrics" {
                var response = DashboardRoutes.json(
                    .object([("error", .string("this call needs the header Authorization: Bearer <token> (--ui-token-file)"))]),
                    status: .unauthorized)
                response.headers[.wwwAuthenticate] = "Bearer"
                return response
            }
            return DashboardRoutes.html(Pages.login(failed: false), status: .unauthorized)
        }
        if let shared, let answer = shared(path) {
            return Response(
                status: HTTPResponse.Status(code: answer.status),
                headers: [.contentType: answer.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
        }
        return try await next(request, context)
    }
}
