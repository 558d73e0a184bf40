import DockerEngine
import Foundation

/// One outer container and its inner daemon, as trials use it.
///
/// With `isolation: trial` a session lives for one trial; with `isolation: cell` it serves
/// all trials of a cell in order, so state one inner run leaves behind can break the next.
final class OuterSession: @unchecked Sendable {
    /// The outer container, once created.
    var containerID: String?
    /// The inner daemon answered once; later trials of the cell only re-check it.
    var daemonReady = false
    /// The inner image is loaded.
    var prepared = false
    /// The trial ids this session served, for labels and notes.
    var trialIDs: [String] = []
    /// Labels of the outer image.
    var imageLabels: [String: String] = [:]
    /// The inner daemon's command line, to restart it after a fault.
    var daemonCommand: [String] = []
    /// cgroup directories on the engine's host this session holds (`HostCgroupLedger`),
    /// released once the outer container is removed.
    var heldCgroups: [String] = []
    /// The outer container's root seen from the engine's host, when trials can wait for the
    /// inner daemon and load its image through it instead of through exec (`OuterRoot`).
    var outerRoot: OuterRoot?
    /// Why trials wait and load through exec, said once in the step log; nil with `outerRoot`.
    var execRouteReason: String?
    /// The inner daemon's client on its socket through `outerRoot`, once it answered.
    var innerClient: EngineClient?
}
