package import DockerEngine

/// Warnings dindlab prints before it acts, so that a user sees the risk before it is taken.
package enum SafetyNotices {
    /// The warning for a tcp:// engine without TLS, or nil for any other address.
    package static func unencryptedEngine(_ address: EngineAddress) -> String? {
        guard address.isUnencryptedTCP else { return nil }
        return "warning: \(address) is a TCP engine without TLS: anyone who reaches it controls the daemon."
    }
}
