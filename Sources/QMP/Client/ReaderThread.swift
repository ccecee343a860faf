import QMPWire

/// Starts a detached OS thread running `body`.
///
/// The client reads its socket on a thread of its own, so the cooperative pool (two threads on a two-core
/// machine) is never blocked, and a reply is handled the moment it arrives. (The implementation lives in QMPWire,
/// whose connect uses it too.)
package func startThread(_ body: @escaping @Sendable () -> Void) {
    startDetachedThread(body)
}
