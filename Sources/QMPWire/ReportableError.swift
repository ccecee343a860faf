/// An error that says how a command-line tool reports it, for error types of modules the shell cannot see (the
/// libvirt transport's, for instance). MonitorShell's `ErrorReport` uses it; see there for the categories.
public protocol ReportableError: Error {
    /// The class named first on the error line, e.g. `LibvirtError`.
    var reportClass: String { get }
    /// The message after the class, on one line, without the class.
    var reportMessage: String { get }
    /// The exit status it means: 1 a command failed, 2 bad input (nothing was sent), 3 the monitor could not be
    /// reached or went away.
    var reportExitStatus: Int32 { get }
}
