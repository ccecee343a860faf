/// The run state of the virtual machine, as `query-status` reports it.
///
/// Values a newer QEMU adds are kept as they are (`RunState(rawValue: "future-state")`).
public struct RunState: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Stopped by a debugger (gdbstub).
    public static let debug: RunState = "debug"
    /// Waiting for an incoming migration.
    public static let inMigrate: RunState = "inmigrate"
    /// An internal error stopped the guest (e.g. a KVM error).
    public static let internalError: RunState = "internal-error"
    /// Paused after a disk I/O error (`werror`/`rerror=stop`).
    public static let ioError: RunState = "io-error"
    /// Paused by `stop` (or the monitor).
    public static let paused: RunState = "paused"
    /// Paused after a finished outgoing migration.
    public static let postMigrate: RunState = "postmigrate"
    /// Not started yet (`-S`), or reset while paused.
    public static let prelaunch: RunState = "prelaunch"
    /// Paused to finish an outgoing migration.
    public static let finishMigrate: RunState = "finish-migrate"
    /// Paused while a saved state is loaded.
    public static let restoreVM: RunState = "restore-vm"
    /// Running.
    public static let running: RunState = "running"
    /// Paused while its state is saved.
    public static let saveVM: RunState = "save-vm"
    /// Shut down, with `-no-shutdown` (otherwise QEMU exits).
    public static let shutdown: RunState = "shutdown"
    /// Suspended (ACPI S3).
    public static let suspended: RunState = "suspended"
    /// Paused by a watchdog with `action=pause`.
    public static let watchdog: RunState = "watchdog"
    /// Paused after a guest panic (`-action panic=pause`).
    public static let guestPanicked: RunState = "guest-panicked"
    /// Running as a COLO secondary.
    public static let colo: RunState = "colo"
}
