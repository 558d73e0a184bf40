import DockerEngine
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// The trial's state machine (`OuterSession`), from values: each event in each state gives
/// the expected action and state; an event that does not fit changes nothing.
@Suite("The trial's state machine")
struct TrialStateMachineTests {
    static let outer = OuterContainer(id: "c1", daemonCommand: ["dockerd", "--debug"])
    static let root = OuterRoot(pid: 42)
    // Never connects: the state machine only carries it.
    static let client = EngineClient(address: EngineAddress(endpoint: .unix(path: "/nonexistent/docker.sock")))
    static let restartedClient = EngineClient(address: EngineAddress(endpoint: .unix(path: "/nonexistent/docker.sock")))
    static let host = InnerRoute.hostSocket(root, client: nil)
    static let answered = InnerRoute.hostSocket(root, client: client)

    /// What happens to the session.
    enum Event: Sendable {
        case begin(String)
        case created(OuterContainer)
        case routeDecided(InnerRoute)
        case launched
        case answered(EngineClient?)
        case restarted
        case release(keep: Bool)
        case removed

        func apply(to session: inout OuterSession) -> OuterSession.Action {
            switch self {
            case .begin(let id): session.beginTrial(id)
            case .created(let container): session.containerCreated(container)
            case .routeDecided(let route): session.routeDecided(route)
            case .launched: session.daemonLaunched()
            case .answered(let client): session.daemonAnswered(client: client)
            case .restarted: session.daemonRestarted()
            case .release(let keep): session.release(keep: keep)
            case .removed: session.containerRemoved()
            }
        }
    }

    /// The expected action; `nil` for an invalid transition.
    struct Transition: Sendable, CustomTestStringConvertible {
        let name: String
        let state: OuterSession.State
        var trialIDs: [String] = ["t1"]
        let event: Event
        let action: OuterSession.Action?
        /// The state afterwards; nil: unchanged.
        var next: OuterSession.State? = nil
        var testDescription: String { name }
    }

    static func wait(_ route: InnerRoute, load: Bool, first: Bool) -> DaemonWait {
        DaemonWait(container: outer, route: route, loadImage: load, firstTrial: first)
    }

    static let transitions: [Transition] = [
        // beginTrial
        .init(
            name: "begin without container: create one", state: .noContainer, trialIDs: [], event: .begin("t1"),
            action: .createContainer),
        .init(
            name: "begin after a container that never started: wait through exec and load", state: .created(outer),
            event: .begin("t2"),
            action: .waitForDaemon(wait(.exec, load: true, first: false), measureLog: false)),
        .init(
            name: "begin after a daemon that never answered: wait and load on its route", state: .started(outer, host),
            event: .begin("t2"),
            action: .waitForDaemon(wait(host, load: true, first: false), measureLog: false)),
        .init(
            name: "begin with a ready daemon: measure its log, re-check it, no load", state: .ready(outer, answered),
            event: .begin("t2"),
            action: .waitForDaemon(wait(answered, load: false, first: false), measureLog: true)),
        .init(name: "begin after release: invalid", state: .released, event: .begin("t2"), action: nil),
        // containerCreated
        .init(
            name: "created: start it", state: .noContainer, trialIDs: ["t1"], event: .created(outer),
            action: .startContainer(outer), next: .created(outer)),
        .init(name: "created twice: invalid", state: .created(outer), event: .created(outer), action: nil),
        .init(name: "created while ready: invalid", state: .ready(outer, .exec), event: .created(outer), action: nil),
        .init(name: "created after release: invalid", state: .released, event: .created(outer), action: nil),
        // routeDecided
        .init(
            name: "route decided: start the daemon", state: .created(outer), event: .routeDecided(host),
            action: .startDaemon(outer), next: .started(outer, host)),
        .init(name: "route without container: invalid", state: .noContainer, event: .routeDecided(.exec), action: nil),
        .init(
            name: "route decided twice: invalid", state: .started(outer, host), event: .routeDecided(.exec), action: nil
        ),
        // daemonLaunched
        .init(
            name: "daemon launched in the first trial: wait on a fresh daemon and load", state: .started(outer, host),
            event: .launched,
            action: .waitForDaemon(wait(host, load: true, first: true), measureLog: false)),
        .init(name: "daemon launched before the route: invalid", state: .created(outer), event: .launched, action: nil),
        .init(name: "daemon launched while ready: invalid", state: .ready(outer, .exec), event: .launched, action: nil),
        // daemonAnswered
        .init(
            name: "answered on the host route: run inner with its client", state: .started(outer, host),
            event: .answered(client),
            action: .runInner(outer, answered), next: .ready(outer, answered)),
        .init(
            name: "answered through exec", state: .started(outer, .exec), event: .answered(nil),
            action: .runInner(outer, .exec), next: .ready(outer, .exec)),
        .init(
            name: "answered without a decided route: exec", state: .created(outer), event: .answered(nil),
            action: .runInner(outer, .exec), next: .ready(outer, .exec)),
        .init(
            name: "answered again: the new client", state: .ready(outer, answered), event: .answered(restartedClient),
            action: .runInner(outer, .hostSocket(root, client: restartedClient)),
            next: .ready(outer, .hostSocket(root, client: restartedClient))),
        .init(name: "answered without container: invalid", state: .noContainer, event: .answered(nil), action: nil),
        .init(name: "answered after release: invalid", state: .released, event: .answered(client), action: nil),
        // daemonRestarted
        .init(
            name: "restarted: re-wait, image still loaded", state: .ready(outer, answered), event: .restarted,
            action: .waitForDaemon(wait(answered, load: false, first: true), measureLog: false)),
        .init(
            name: "restarted before it answered: invalid", state: .started(outer, host), event: .restarted, action: nil),
        .init(name: "restarted without container: invalid", state: .noContainer, event: .restarted, action: nil),
        // release
        .init(
            name: "release: remove", state: .ready(outer, answered), event: .release(keep: false),
            action: .remove(outer)),
        .init(
            name: "release a container that never started: remove", state: .created(outer),
            event: .release(keep: false), action: .remove(outer)),
        .init(
            name: "release with keep: keep", state: .started(outer, host), event: .release(keep: true),
            action: .keep(outer)),
        .init(
            name: "release without container: nothing", state: .noContainer, event: .release(keep: false),
            action: .nothing),
        .init(name: "release after release: nothing", state: .released, event: .release(keep: true), action: .nothing),
        // containerRemoved
        .init(
            name: "removed: released", state: .ready(outer, .exec), event: .removed, action: .nothing, next: .released),
        .init(
            name: "removed before it started: released", state: .created(outer), event: .removed, action: .nothing,
            next: .released),
        .init(name: "removed without container: invalid", state: .noContainer, event: .removed, action: nil),
        .init(name: "removed twice: invalid", state: .released, event: .removed, action: nil),
    ]

    @Test("Each event in each state", arguments: transitions)
    func transition(_ transition: Transition) {
        var session = OuterSession(state: transition.state, trialIDs: transition.trialIDs)
        let action = transition.event.apply(to: &session)
        if let expected = transition.action {
            #expect(action == expected)
            #expect(session.state == (transition.next ?? transition.state))
        } else {
            guard case .invalid(let reason) = action else {
                Issue.record("expected an invalid transition, got \(action)")
                return
            }
            #expect(reason.contains("bug in dindlab"), "the reason says whose mistake it is: \(reason)")
            #expect(session.state == transition.state, "an invalid event changes nothing")
            #expect(session.trialIDs == transition.trialIDs)
        }
    }

    /// The container is had only in the states that have one.
    @Test(
        "The container in each state",
        arguments: [
            (OuterSession.State.noContainer, nil), (.created(outer), outer), (.started(outer, host), outer),
            (.ready(outer, .exec), outer),
            (.released, nil),
        ] as [(OuterSession.State, OuterContainer?)])
    func container(_ state: OuterSession.State, _ expected: OuterContainer?) {
        #expect(OuterSession(state: state).container == expected)
    }

    /// The session of a cell, trial after trial, as the executor drives it.
    @Test("A cell of two trials, from creation to removal")
    func cellOfTwoTrials() {
        var session = OuterSession()
        #expect(session.beginTrial("t1") == .createContainer)
        #expect(session.containerCreated(Self.outer) == .startContainer(Self.outer))
        #expect(session.routeDecided(Self.host) == .startDaemon(Self.outer))
        #expect(!session.reachesDaemonFromHost || session.container == Self.outer)
        #expect(
            session.daemonLaunched() == .waitForDaemon(Self.wait(Self.host, load: true, first: true), measureLog: false)
        )
        #expect(session.daemonAnswered(client: Self.client) == .runInner(Self.outer, Self.answered))
        #expect(session.reachesDaemonFromHost)
        #expect(
            session.beginTrial("t2")
                == .waitForDaemon(Self.wait(Self.answered, load: false, first: false), measureLog: true))
        #expect(session.trialIDs == ["t1", "t2"])
        #expect(session.release(keep: false) == .remove(Self.outer))
        #expect(session.containerRemoved() == .nothing)
        #expect(session.container == nil)
        #expect(!session.reachesDaemonFromHost)
    }
}
