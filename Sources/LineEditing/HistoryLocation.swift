#if canImport(Glibc)
import Glibc
#endif

/// Where a program keeps its line history by default.
public enum HistoryLocation {
    /// `$XDG_STATE_HOME/PROGRAM/history`, else `$HOME/.local/state/PROGRAM/history`; `nil` without either
    /// variable. `environment` is for tests; by default the process's own.
    public static func defaultPath(program: String, environment: [String: String]? = nil) -> String? {
        func variable(_ name: String) -> String? {
            if let environment { return environment[name] }
            return getenv(name).map { String(cString: $0) }
        }
        if let state = variable("XDG_STATE_HOME"), state.hasPrefix("/") {
            return "\(state)/\(program)/history"
        }
        if let home = variable("HOME"), !home.isEmpty {
            return "\(home)/.local/state/\(program)/history"
        }
        return nil
    }

    /// Creates the folders above `file` (mode 0700 for new ones); false when that failed.
    @discardableResult
    public static func createParentDirectories(of file: String) -> Bool {
        var path = ""
        let parts = file.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        if file.hasPrefix("/") { path = "" } else { path = "." }
        for part in parts {
            path += "/" + part
            if mkdir(path, 0o700) != 0 && errno != EEXIST { return false }
        }
        return true
    }
}
