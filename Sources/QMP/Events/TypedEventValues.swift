// Enumerations and unions carried by the typed events. Values a newer QEMU adds are kept as they are.

/// Why the guest shut down or was reset (`SHUTDOWN`, `RESET`).
public struct ShutdownCause: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// No cause given (a shutdown QEMU did not attribute, or the state before any).
    public static let none: ShutdownCause = "none"
    /// An error on the host side stopped the guest for good.
    public static let hostError: ShutdownCause = "host-error"
    /// The `quit` command.
    public static let hostQMPQuit: ShutdownCause = "host-qmp-quit"
    /// The `system_reset` command.
    public static let hostQMPSystemReset: ShutdownCause = "host-qmp-system-reset"
    /// A signal to QEMU (SIGTERM, SIGINT, SIGHUP).
    public static let hostSignal: ShutdownCause = "host-signal"
    /// The user interface (closing the window).
    public static let hostUI: ShutdownCause = "host-ui"
    /// The guest powered off.
    public static let guestShutdown: ShutdownCause = "guest-shutdown"
    /// The guest rebooted.
    public static let guestReset: ShutdownCause = "guest-reset"
    /// The guest panicked and the panic action is to power off (QEMU's default).
    public static let guestPanic: ShutdownCause = "guest-panic"
    /// A partial reset (s390 subsystem reset).
    public static let subsystemReset: ShutdownCause = "subsystem-reset"
    /// Loading a snapshot reset the guest.
    public static let snapshotLoad: ShutdownCause = "snapshot-load"
}

/// What QEMU does when the guest panics.
public struct GuestPanicAction: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Pause the guest (run state `guest-panicked`); it stays until `cont`, `system_reset` or `quit`.
    public static let pause: GuestPanicAction = "pause"
    /// Power the guest off; QEMU then exits unless started with `-no-shutdown`.
    public static let poweroff: GuestPanicAction = "poweroff"
    /// Nothing: the guest keeps running (and may reboot by itself).
    public static let run: GuestPanicAction = "run"
}

/// Details of a guest panic: a `type` and the members that type carries (others are `nil`).
public struct GuestPanicInformation: Codable, Sendable, Hashable {
    /// `hyper-v` or `s390`.
    public var type: String
    /// Hyper-V crash parameter 1 (a Windows guest puts its bug-check code here).
    public var arg1: UInt64?
    /// Hyper-V crash parameter 2.
    public var arg2: UInt64?
    /// Hyper-V crash parameter 3.
    public var arg3: UInt64?
    /// Hyper-V crash parameter 4.
    public var arg4: UInt64?
    /// Hyper-V crash parameter 5.
    public var arg5: UInt64?
    /// s390: the core that stopped.
    public var core: Int?
    /// s390: the PSW's mask at the time.
    public var pswMask: UInt64?
    /// s390: the PSW's instruction address at the time.
    public var pswAddress: UInt64?
    /// s390: the reason, e.g. `disabled-wait`.
    public var reason: String?

    /// Creates a value from its members.
    public init(
        type: String, arg1: UInt64? = nil, arg2: UInt64? = nil, arg3: UInt64? = nil, arg4: UInt64? = nil,
        arg5: UInt64? = nil, core: Int? = nil, pswMask: UInt64? = nil, pswAddress: UInt64? = nil,
        reason: String? = nil
    ) {
        self.type = type
        self.arg1 = arg1
        self.arg2 = arg2
        self.arg3 = arg3
        self.arg4 = arg4
        self.arg5 = arg5
        self.core = core
        self.pswMask = pswMask
        self.pswAddress = pswAddress
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case type, arg1, arg2, arg3, arg4, arg5, core, reason
        case pswMask = "psw-mask"
        case pswAddress = "psw-addr"
    }
}

/// The kind of slot an `ACPI_DEVICE_OST` report is about.
public struct ACPISlotType: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A memory (DIMM) slot.
    public static let dimm: ACPISlotType = "DIMM"
    /// A CPU slot.
    public static let cpu: ACPISlotType = "CPU"
}

/// The direction of a failed I/O request.
public struct IOOperationType: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The guest was reading.
    public static let read: IOOperationType = "read"
    /// The guest was writing.
    public static let write: IOOperationType = "write"
}

/// What QEMU did about a block I/O error.
public struct BlockErrorAction: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The error was ignored; the guest was told the request succeeded.
    public static let ignore: BlockErrorAction = "ignore"
    /// The error was passed on to the guest.
    public static let report: BlockErrorAction = "report"
    /// The VM was stopped.
    public static let stop: BlockErrorAction = "stop"
}

/// The status of a block job.
public struct JobStatus: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Before the job exists (never reported by a live job).
    public static let undefined: JobStatus = "undefined"
    /// Created, not yet started.
    public static let created: JobStatus = "created"
    /// Working.
    public static let running: JobStatus = "running"
    /// Paused by `job-pause` or an error policy; `job-resume` continues it.
    public static let paused: JobStatus = "paused"
    /// A mirror is in sync and can be completed.
    public static let ready: JobStatus = "ready"
    /// A ready job that was paused; it goes back to `ready` when resumed.
    public static let standby: JobStatus = "standby"
    /// Done working; waiting for the other jobs of its transaction.
    public static let waiting: JobStatus = "waiting"
    /// Waiting to be finalized (`job-finalize`, unless automatic).
    public static let pending: JobStatus = "pending"
    /// Failing or cancelled, cleaning up; it then concludes with an error.
    public static let aborting: JobStatus = "aborting"
    /// Finished; waiting to be dismissed (`job-dismiss`, unless automatic).
    public static let concluded: JobStatus = "concluded"
    /// Gone.
    public static let null: JobStatus = "null"
}
