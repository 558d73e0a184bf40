import DockerEngine
import Foundation

/// One outer container and its inner daemon, as trials use it: a state machine that says what
/// the trial does next.
///
/// With `isolation: trial` a session lives for one trial; with `isolation: cell` it serves
/// all trials of a cell in order, so state one inner run leaves behind can break the next.
///
/// The executor owns the session as a value (a local variable of the unit it runs, passed
/// `inout`). It tells the session what happened (an event: a mutating method) and gets back
/// the next ``Action``, which carries the container and route that step needs. The container
/// id exists only in the states that have a container, so no step can run without one.
///
/// ```
///            beginTrial                containerCreated              routeDecided
/// noContainer ─────────▶ createContainer ─────────▶ created(c) ─────────▶ started(c, route)
///                                                      │                     │ daemonLaunched
///                                                      │                     ▼  (waitForDaemon)
///                                                      │ daemonAnswered      │ daemonAnswered
///                                                      └──────────────▶ ready(c, route) ◀──┘
///                                                                       │  ▲ daemonRestarted,
///                                                                       │  └ daemonAnswered
///         containerRemoved (from created, started or ready)             ▼
///                                        released ◀───────────────────────
/// ```
///
/// - `created`: the container exists; it may not have started, and no route is decided. A
///   later trial of the cell waits for its daemon through exec.
/// - `started`: started, the route to the inner daemon decided; the daemon never answered.
/// - `ready`: the daemon answered once and the inner image is loaded; later trials only
///   re-check the daemon (and first measure its log, for forensics).
/// - `released`: the container is removed; the session serves no further trial.
///
/// An event that does not fit the state changes nothing and returns ``Action/invalid(_:)``.
struct OuterSession: Sendable {
    /// Where the session is; see the type's diagram.
    enum State: Sendable, Equatable {
        case noContainer
        case created(OuterContainer)
        case started(OuterContainer, InnerRoute)
        case ready(OuterContainer, InnerRoute)
        case released
    }

    /// What the executor does next.
    enum Action: Sendable, Equatable {
        /// Create the outer container (phase outer); report it with `containerCreated`.
        case createContainer
        /// Start the container and decide the route; report it with `routeDecided`.
        case startContainer(OuterContainer)
        /// Run the setup lines and start the daemon as the scenario says; then `daemonLaunched`.
        case startDaemon(OuterContainer)
        /// Wait for the inner daemon (loading the image when the wait says so), after measuring
        /// its log when `measureLog`; report a ready daemon with `daemonAnswered`.
        case waitForDaemon(DaemonWait, measureLog: Bool)
        /// Run the inner runs through this route.
        case runInner(OuterContainer, InnerRoute)
        /// Leave the container running (`repro --keep`).
        case keep(OuterContainer)
        /// Remove the container; report success with `containerRemoved`.
        case remove(OuterContainer)
        /// Nothing is left to do.
        case nothing
        /// The event does not fit the state: the executor's mistake, said in full.
        case invalid(String)
    }

    private(set) var state: State
    /// The trial ids this session served, for labels and notes.
    private(set) var trialIDs: [String]
    /// cgroup directories on the engine's host this session holds (`HostCgroupLedger`),
    /// released once the outer container is removed.
    var heldCgroups: [String] = []

    init(state: State = .noContainer, trialIDs: [String] = []) {
        self.state = state
        self.trialIDs = trialIDs
    }

    /// The outer container, in the states that have one (for forensics and notes).
    var container: OuterContainer? {
        switch state {
        case .created(let container), .started(let container, _), .ready(let container, _): container
        case .noContainer, .released: nil
        }
    }

    /// The outer container's file system from the engine's host, on the host route.
    var outerRoot: OuterRoot? {
        switch state {
        case .started(_, .hostSocket(let root, _)), .ready(_, .hostSocket(let root, _)): root
        default: nil
        }
    }

    /// Whether trials reach the inner daemon from the engine's host (no exec but the inner run's).
    var reachesDaemonFromHost: Bool {
        switch state {
        case .started(_, .hostSocket), .ready(_, .hostSocket): true
        default: false
        }
    }

    // MARK: Events

    /// A trial begins in this session.
    mutating func beginTrial(_ trialID: String) -> Action {
        switch state {
        case .noContainer:
            trialIDs.append(trialID)
            return .createContainer
        case .created(let container):
            // The container never started or its route was not decided: wait through exec.
            trialIDs.append(trialID)
            return .waitForDaemon(wait(container, .exec, loadImage: true), measureLog: false)
        case .started(let container, let route):
            // An earlier trial's daemon never answered (or its image load failed).
            trialIDs.append(trialID)
            return .waitForDaemon(wait(container, route, loadImage: true), measureLog: false)
        case .ready(let container, let route):
            // The daemon may have died since: re-check it.
            trialIDs.append(trialID)
            return .waitForDaemon(wait(container, route, loadImage: false), measureLog: true)
        case .released:
            return invalid("trial \(trialID) began", "the session's outer container was already removed")
        }
    }

    /// The outer container was created.
    mutating func containerCreated(_ container: OuterContainer) -> Action {
        guard case .noContainer = state else {
            return invalid("container \(container.id) was created", "the session has one")
        }
        state = .created(container)
        return .startContainer(container)
    }

    /// The container started, and the route to its inner daemon is decided.
    mutating func routeDecided(_ route: InnerRoute) -> Action {
        guard case .created(let container) = state else {
            return invalid("the route was decided", "no container was just created")
        }
        state = .started(container, route)
        return .startDaemon(container)
    }

    /// The inner daemon was started (by exec, or by the container's command).
    func daemonLaunched() -> Action {
        guard case .started(let container, let route) = state else {
            return invalid("the daemon was launched", "the container was not just started")
        }
        return .waitForDaemon(wait(container, route, loadImage: true), measureLog: false)
    }

    /// The inner daemon was started again after a fault, its image still loaded.
    func daemonRestarted() -> Action {
        guard case .ready(let container, let route) = state else {
            return invalid("the daemon was restarted", "it never answered")
        }
        return .waitForDaemon(wait(container, route, loadImage: false), measureLog: false)
    }

    /// The inner daemon answered and the wait's image (if any) is loaded.
    ///
    /// - Parameter client: The inner daemon's client on its socket, on the host route.
    mutating func daemonAnswered(client: EngineClient?) -> Action {
        let container: OuterContainer
        let route: InnerRoute
        switch state {
        case .created(let created):
            (container, route) = (created, .exec)
        case .started(let started, let decided), .ready(let started, let decided):
            (container, route) = (started, decided.answering(client))
        case .noContainer, .released:
            return invalid("the daemon answered", "there is no outer container")
        }
        state = .ready(container, route)
        return .runInner(container, route)
    }

    /// What to do with the container once the session's trials are done. Changes no state: the
    /// container is gone only once `containerRemoved` says so.
    func release(keep: Bool) -> Action {
        guard let container else { return .nothing }
        return keep ? .keep(container) : .remove(container)
    }

    /// The outer container was removed (or was found gone).
    mutating func containerRemoved() -> Action {
        guard container != nil else { return invalid("the container was removed", "the session has none") }
        state = .released
        return .nothing
    }

    private func wait(_ container: OuterContainer, _ route: InnerRoute, loadImage: Bool) -> DaemonWait {
        DaemonWait(container: container, route: route, loadImage: loadImage, firstTrial: trialIDs.count == 1)
    }

    private func invalid(_ event: String, _ why: String) -> Action {
        .invalid(
            "The trial's state machine was told that \(event) in state \(state), but \(why); this is a bug in dindlab's trial executor."
        )
    }
}

/// An outer container as trials use it.
struct OuterContainer: Sendable, Equatable {
    let id: String
    /// The inner daemon's command line, to restart it after a fault.
    let daemonCommand: [String]
}

/// How trials reach the inner daemon of an outer container.
enum InnerRoute: Sendable, Equatable {
    /// Through exec in the outer container (docker version, docker import).
    case exec
    /// From the engine's host through the container's root (`OuterRoot`), with the inner
    /// daemon's client once it answered.
    case hostSocket(OuterRoot, client: EngineClient?)

    /// The inner daemon's client on the host route.
    var hostClient: EngineClient? {
        if case .hostSocket(_, let client) = self { client } else { nil }
    }

    /// The route with the client of the daemon that just answered.
    func answering(_ client: EngineClient?) -> InnerRoute {
        if case .hostSocket(let root, _) = self { .hostSocket(root, client: client) } else { self }
    }

    static func == (lhs: InnerRoute, rhs: InnerRoute) -> Bool {
        switch (lhs, rhs) {
        case (.exec, .exec): true
        case (.hostSocket(let left, let leftClient), .hostSocket(let right, let rightClient)):
            left.pid == right.pid && left.prefix == right.prefix && leftClient === rightClient
        default: false
        }
    }
}

/// One wait for the inner daemon.
struct DaemonWait: Sendable, Equatable {
    let container: OuterContainer
    let route: InnerRoute
    /// Load the inner image once the daemon answers (it is not loaded yet).
    let loadImage: Bool
    /// The session's first trial: its daemon's storage is fresh.
    let firstTrial: Bool
}
