// Typed events for the run state of the guest: the `data` of each event as a struct, with its wire name.
// Decode one with `event.decode(ShutdownEvent.self)` or wait for it with the client's typed `waitForEvent`.

/// `SHUTDOWN`: the guest shut down, or QEMU is about to exit (`quit`, a signal). With `-no-shutdown` QEMU stays
/// and the guest is left in the `shutdown` state.
public struct ShutdownEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "SHUTDOWN"

    /// Whether the guest asked for it (ACPI poweroff, triple fault ...) rather than the host.
    public var guest: Bool
    /// Why, e.g. `host-qmp-quit` after `quit`, `guest-shutdown` after a poweroff in the guest.
    public var reason: ShutdownCause

    /// Creates a value from its members.
    public init(guest: Bool, reason: ShutdownCause) {
        self.guest = guest
        self.reason = reason
    }
}

/// `POWERDOWN`: the ACPI power button was pressed (`system_powerdown`); the guest decides what to do.
public struct PowerdownEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "POWERDOWN"

    /// Creates a value from its members.
    public init() {}
    /// Accepts any data: the event has none.
    public init(from decoder: any Decoder) throws {}
}

/// `RESET`: the guest was reset.
public struct ResetEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "RESET"

    /// Whether the guest asked for it rather than the host.
    public var guest: Bool
    /// Why, e.g. `host-qmp-system-reset` after `system_reset`, `guest-reset` after a reboot in the guest.
    public var reason: ShutdownCause

    /// Creates a value from its members.
    public init(guest: Bool, reason: ShutdownCause) {
        self.guest = guest
        self.reason = reason
    }
}

/// `STOP`: the vCPUs stopped (`stop`, an I/O error with `werror=stop`, a debugger ...).
public struct StopEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "STOP"

    /// Creates a value from its members.
    public init() {}
    /// Accepts any data: the event has none.
    public init(from decoder: any Decoder) throws {}
}

/// `RESUME`: the vCPUs run again (`cont`, or the first start of a `-S` guest).
public struct ResumeEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "RESUME"

    /// Creates a value from its members.
    public init() {}
    /// Accepts any data: the event has none.
    public init(from decoder: any Decoder) throws {}
}

/// `GUEST_PANICKED`: the guest reported a panic (through a pvpanic device, Hyper-V or s390 mechanisms).
public struct GuestPanickedEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "GUEST_PANICKED"

    /// What QEMU does about it (`-action panic=`).
    public var action: GuestPanicAction
    /// Details some panic mechanisms provide.
    public var info: GuestPanicInformation?

    /// Creates a value from its members.
    public init(action: GuestPanicAction, info: GuestPanicInformation? = nil) {
        self.action = action
        self.info = info
    }
}
