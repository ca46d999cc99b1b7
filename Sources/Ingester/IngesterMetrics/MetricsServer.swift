import IngesterConfig
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// The HTTP/1.1 server of `/metrics`, `/healthz` and `/readyz` (see `MetricsEndpoints`).
///
/// Runs on an event loop thread of its own, so a slow scrape never holds a broker loop or the
/// writer, and they never hold a scrape. Call `stop()` before the process ends.
package final class MetricsServer: Sendable {
    /// The address it listens on; with port 0 asked for, the port the system chose.
    package let address: ListenAddress
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup

    private init(address: ListenAddress, channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.address = address
        self.channel = channel
        self.group = group
    }

    /// A server that could not start.
    package struct StartError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Starts listening and serving; returns once the socket is bound.
    ///
    /// - Parameters:
    ///   - address: where to listen (`ListenAddress.parse("127.0.0.1:9234")`); port 0 picks a free one.
    ///   - endpoints: what to answer.
    /// - Throws: `StartError` naming the address, e.g. when the port is taken or the host unknown.
    package static func start(at address: ListenAddress, endpoints: MetricsEndpoints) throws -> MetricsServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try bootstrap(group: group, endpoints: endpoints).bind(host: address.host, port: address.port)
                .wait()
            return MetricsServer(address: bound(channel, asked: address), channel: channel, group: group)
        } catch {
            try? group.syncShutdownGracefully()
            throw StartError(description: "Cannot serve metrics on \(address): \(error)")
        }
    }

    /// Starts listening and serving; returns once the socket is bound.
    ///
    /// - Parameters:
    ///   - address: where to listen; port 0 picks a free one.
    ///   - endpoints: what to answer.
    /// - Throws: `StartError` naming the address, e.g. when the port is taken or the host unknown.
    package static func start(at address: ListenAddress, endpoints: MetricsEndpoints) async throws -> MetricsServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await bootstrap(group: group, endpoints: endpoints).bind(
                host: address.host, port: address.port
            ).get()
            return MetricsServer(address: bound(channel, asked: address), channel: channel, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw StartError(description: "Cannot serve metrics on \(address): \(error)")
        }
    }

    /// Stops listening, closes every open connection and ends the server's thread; returns when done.
    package func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// Stops listening, closes every open connection and ends the server's thread; returns when done.
    package func stop() async {
        try? await channel.close().get()
        try? await group.shutdownGracefully()
    }

    // MARK: - Setting up

    private static func bootstrap(group: MultiThreadedEventLoopGroup, endpoints: MetricsEndpoints) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(endpoints: endpoints))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    }

    /// The address actually bound: the asked host, and the port the system chose for port 0.
    private static func bound(_ channel: any Channel, asked: ListenAddress) -> ListenAddress {
        ListenAddress(host: asked.host, port: channel.localAddress?.port ?? asked.port)
    }
}

/// Answers each HTTP request of one connection through `MetricsEndpoints`.
///
/// `configureHTTPServerPipeline()` in front of it parses requests, orders pipelined ones and
/// answers malformed ones with 400.
private final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let endpoints: MetricsEndpoints
    private var head: HTTPRequestHead?

    init(endpoints: MetricsEndpoints) {
        self.endpoints = endpoints
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break  // no endpoint reads a body
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    /// A malformed request (already answered with 400 by `HTTPServerProtocolErrorHandler`) or a
    /// socket error ends the connection; left open, it would stay until the server stops.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let response = endpoints.respond(method: head.method.rawValue, uri: head.uri)
        let body = context.channel.allocator.buffer(string: response.body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        if response.status == 405 { headers.add(name: "Allow", value: "GET") }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
