import Logging
import NIOCore
import Synchronization

/// Caps the connections one client address may hold open at once: a single machine that
/// opens connections and never finishes its requests (a broken client, or someone trying to
/// lock the offices out) uses up at most this many of the hub's open files, and every other
/// address is still served. Idle and half-sent requests are closed by the HTTP channel's idle
/// timeout (``HubConfiguration/idleTimeoutSeconds``).
final class ConnectionLimit: Sendable {
    let perAddress: Int
    private let open = Mutex<(counts: [String: Int], told: Set<String>)>(([:], []))
    let logger: Logger

    init(perAddress: Int, logger: Logger) {
        self.perAddress = perAddress
        self.logger = logger
    }

    /// Takes a place for `address`; false when it holds all its places already (logged once
    /// until the address is below its cap again: a flood does not flood the log).
    func take(_ address: String) -> Bool {
        let (taken, tell) = open.withLock { state -> (Bool, Bool) in
            let held = state.counts[address, default: 0]
            guard held < perAddress else { return (false, state.told.insert(address).inserted) }
            state.counts[address] = held + 1
            return (true, false)
        }
        if tell {
            logger.warning("refusing further connections from an address that holds \(perAddress) open", metadata: ["address": "\(address)"])
        }
        return taken
    }

    func give(_ address: String) {
        open.withLock { state in
            let held = state.counts[address, default: 0]
            state.counts[address] = held > 1 ? held - 1 : nil
            if held <= perAddress { state.told.remove(address) }
        }
    }

    /// The handler each new connection gets.
    func handler() -> Handler { Handler(limit: self) }

    /// Counts its connection against its address while it is open; closes it at once when
    /// the address holds all its places.
    final class Handler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = NIOAny
        let limit: ConnectionLimit
        private let address = Mutex<String?>(nil)

        init(limit: ConnectionLimit) { self.limit = limit }

        func handlerAdded(context: ChannelHandlerContext) {
            guard let ip = context.channel.remoteAddress?.ipAddress else { return }
            if limit.take(ip) {
                address.withLock { $0 = ip }
            } else {
                context.close(promise: nil)
            }
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            if let ip = address.withLock({ value -> String? in defer { value = nil }; return value }) { limit.give(ip) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.fireChannelRead(data)
        }
    }
}
