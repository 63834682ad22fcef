import HubStorage
import Hummingbird
import Store

/// The request context of the hub: Hummingbird's core context plus the caller, once the
/// bearer token has been checked.
public struct HubRequestContext: RequestContext {
    /// Hummingbird's request context storage.
    public var coreContext: CoreRequestContextStorage
    /// The token's role and township; nil until authenticated.
    public var caller: HubCaller?

    /// A context for a request, before authentication.
    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
